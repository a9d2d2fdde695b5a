"""`fmstudio sound classify`: the sounds in recordings, headless."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from fmstudio.cli.options import add_model_option, fraction, positive_int
from fmstudio.cli.output import EXIT_OK, EXIT_SOME_FAILED
from fmstudio.cli.progress import ProgressDisplay, drive
from fmstudio.core.modalities import SOUND
from fmstudio.core.sound.requests import MIN_SCORE, ClassifySounds

if TYPE_CHECKING:
    from fmstudio.core.sound.results import SoundResult


def _lines(result: SoundResult, timeline: bool) -> list[str]:
    if not result.ok:
        return [f"{result.path}  ERROR: {result.error}"]
    top = ", ".join(f"{p.label} {p.score:.0%}" for p in result.predictions)
    lines = [f"{result.path}  ({result.duration:.1f} s)  {top}"]
    if timeline:
        lines += [
            f"  {s.start:7.2f}-{s.end:7.2f} s  {s.label} {s.score:.0%}" for s in result.segments
        ]
    return lines


def print_sounds(results: Sequence[SoundResult], args: argparse.Namespace) -> int:
    """One JSON object per line (--json) or lines per file; 2 when any file failed."""
    for result in results:
        if args.json:
            print(json.dumps(result.to_json(), ensure_ascii=False))
        else:
            print("\n".join(_lines(result, args.timeline)))
    failed = sum(not r.ok for r in results)
    print(f"{SOUND.count(len(results) - failed)} heard, {failed} failed", file=sys.stderr)
    return EXIT_SOME_FAILED if failed else EXIT_OK


def _classify(args: argparse.Namespace) -> int:
    from fmstudio.core.sound.classify import classify_sounds

    request = ClassifySounds(tuple(args.paths), args.model, args.top_k, min_score=args.min_score)
    results = drive(classify_sounds(request), ProgressDisplay(quiet=args.json))
    return print_sounds(results, args)


def add_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    sound = sub.add_parser("sound", help="what is heard in recordings (AudioSet's 521 sounds)")
    verbs = sound.add_subparsers(dest="verb", required=True, metavar="classify")
    classify = verbs.add_parser(
        "classify",
        help="the top sounds of audio and video files, and which sound when",
        description="Name the sounds in recordings (folders recurse). Exit status 0 when every "
        "file was read, 2 when any failed (after all the others were reported).",
    )
    classify.add_argument("paths", nargs="+", metavar="PATH", help="audio/video files or folders")
    add_model_option(classify, SOUND, "bundled name")
    classify.add_argument(
        "--top-k", type=positive_int, default=5, help="sounds per file (default 5)"
    )
    classify.add_argument(
        "--timeline",
        action="store_true",
        help="also print which sound when (each ~0.5 s, runs of one sound merged)",
    )
    classify.add_argument(
        "--min-score",
        type=fraction,
        default=MIN_SCORE,
        help="the timeline leaves out stretches whose best sound scores less "
        f"(default {MIN_SCORE})",
    )
    classify.add_argument(
        "--json",
        action="store_true",
        help="one JSON object per file and line: path, duration, predictions [{label, score}], "
        "timeline [{start, end, label, score}] or error",
    )
    classify.set_defaults(func=_classify)
