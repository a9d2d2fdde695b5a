"""`fmstudio detect`: the detector's try-it job, headless."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from fmstudio.cli.options import add_model_option, add_run_options, fraction
from fmstudio.cli.output import EXIT_OK, EXIT_SOME_FAILED
from fmstudio.cli.progress import ProgressDisplay, drive
from fmstudio.core.detect.requests import DetectImages
from fmstudio.core.detect.results import MIN_SCORE, Detections
from fmstudio.core.modalities import DETECT

if TYPE_CHECKING:
    from fmstudio.core.detect.evaluate import DetectionEvaluation


def _line(result: Detections, min_score: float) -> str:
    if not result.ok:
        return f"{result.path}  ERROR: {result.error}"
    boxes = result.above(min_score)
    found = ", ".join(
        f"{b.label} {b.score:.0%} [{', '.join(f'{v:.0f}' for v in b.box)}]" for b in boxes
    )
    return f"{result.path}  {found or 'nothing found'}"


def print_detections(results: Sequence[Detections], args: argparse.Namespace) -> int:
    """One JSON object per line (--json) or a line per image; 2 when any image failed."""
    for result in results:
        if args.json:
            kept = Detections(result.path, result.above(args.min_score), result.error, result.size)
            print(json.dumps(kept.to_dict(), ensure_ascii=False))
        else:
            print(_line(result, args.min_score))
    failed = sum(not r.ok for r in results)
    objects = sum(len(r.above(args.min_score)) for r in results)
    print(
        f"{DETECT.count(len(results) - failed)} read, {objects} objects, {failed} failed",
        file=sys.stderr,
    )
    return EXIT_SOME_FAILED if failed else EXIT_OK


def _draw(results: Sequence[Detections], args: argparse.Namespace, labels: list[str]) -> int:
    from fmstudio.core.detect.draw import draw_into

    failed = 0
    for result in results:
        if not result.ok:
            continue
        try:
            draw_into(Path(result.path), result.above(args.min_score), labels, args.draw_into)
        except OSError as exc:
            print(f"{result.path}: could not draw into {args.draw_into} ({exc})", file=sys.stderr)
            failed += 1
    return failed


def _detect(args: argparse.Namespace) -> int:
    from fmstudio.core.detect.detect import detect_images

    request = DetectImages(tuple(args.paths), args.model, args.batch_size, args.device)
    results = drive(detect_images(request), ProgressDisplay(quiet=args.json))
    status = print_detections(results, args)
    if args.draw_into is not None:
        labels = sorted({b.label for r in results for b in r.boxes})
        if _draw(results, args, labels):
            return EXIT_SOME_FAILED
    return status


def add_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    detect = sub.add_parser(
        "detect",
        help="find objects in images: labelled boxes (folders recurse)",
        description="Find objects in images. Exit status 0 when every file was read, 2 when "
        "any failed (after all the others were reported).",
    )
    detect.add_argument("paths", nargs="+", metavar="PATH", help="image files or folders")
    add_model_option(detect, DETECT, "bundled name, library name or folder")
    detect.add_argument(
        "--min-score",
        type=fraction,
        default=MIN_SCORE,
        help=f"the lowest score a box may have (default {MIN_SCORE})",
    )
    add_run_options(detect, DETECT)
    detect.add_argument(
        "--json",
        action="store_true",
        help="one JSON object per image and line: path, width, height, boxes "
        "[{label, score, box: [x1, y1, x2, y2]}] or error",
    )
    detect.add_argument(
        "--draw-into",
        type=Path,
        metavar="DIR",
        help="write each image with its boxes drawn into DIR (never over a file)",
    )
    detect.set_defaults(func=_detect)


def report_detector(result: DetectionEvaluation, args: argparse.Namespace) -> int:
    """mAP, AP per class, precision and recall at the threshold, then the worst images."""
    scores = result.scores
    if args.json:
        out = {"model": result.model, **scores.to_json(), "not_measured": result.not_known}
        print(json.dumps(out, indent=2, ensure_ascii=False))
    else:
        print(
            f"mAP@0.5:0.95 {scores.map:.3f}   mAP@0.5 {scores.map_50:.3f}   images "
            f"{scores.images}   objects {scores.objects}   model {result.model}"
        )
        print(
            f"at score {scores.threshold:g}: precision {scores.precision:.1%}   "
            f"recall {scores.recall:.1%}"
        )
        width = max(5, *(len(c) for c in scores.per_class))
        for name, ap in scores.per_class.items():
            print(
                f"  {name:<{width}}  AP {ap:.3f}" if ap >= 0 else f"  {name:<{width}}  no objects"
            )
        for worst in scores.worst:
            print(f"{worst.missed} missed, {worst.false} false  {worst.path}")
    if result.not_known:
        print(f"not measured (the model has no such class): {', '.join(result.not_known)}",
              file=sys.stderr)  # fmt: skip
    for path, reason in result.skipped:
        print(f"skipped {path}: {reason}", file=sys.stderr)
    return 0
