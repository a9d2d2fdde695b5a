"""`--sort-into DIR`: the options `image classify` and `text classify` share, and the report."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence

from fmstudio.cli.progress import ProgressDisplay, drive
from fmstudio.core.classify.results import ItemResult
from fmstudio.core.classify.sort import UNSURE, SortInto, SortOutcome, sort_results
from fmstudio.core.errors import FmError
from fmstudio.core.placing import folder_problem
from fmstudio.core.wording import format_counts


def score(text: str) -> float:
    value = float(text)
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(f"must be between 0 and 1, not {value}")
    return value


def add_sort_options(parser: argparse.ArgumentParser, item: str, task: str) -> None:
    parser.set_defaults(sort_task=task)
    group = parser.add_argument_group("sorting into folders")
    group.add_argument(
        "--sort-into",
        metavar="DIR",
        help=f"copy each {item} into DIR/<top label>/ and write DIR/manifest.csv; "
        "nothing is overwritten",
    )
    group.add_argument(
        "--move", action="store_true", help="with --sort-into: move instead of copying"
    )
    group.add_argument(
        "--min-score",
        type=score,
        default=None,
        metavar="S",
        help=f"with --sort-into: a top score below S goes to DIR/{UNSURE}/ (default: the "
        "unsure threshold a trained model saved, else 0)",
    )
    group.add_argument(
        "--dry-run", action="store_true", help="with --sort-into: print the plan, touch nothing"
    )


def check_sort_options(args: argparse.Namespace) -> None:
    """Refuse options that cannot work before anything is classified."""
    if args.sort_into is None:
        if args.move or args.dry_run or args.min_score is not None:
            raise FmError("--move, --min-score and --dry-run go with --sort-into DIR")
        return
    problem = folder_problem(args.sort_into)
    if problem is not None:
        raise FmError(f"--sort-into: {problem}")


def _min_score(args: argparse.Namespace) -> float:
    """--min-score, else the model's own unsure threshold (said on stderr)."""
    from fmstudio.core.classify.calibration import unsure_below  # numpy: not for --help

    if args.min_score is not None:
        return float(args.min_score)
    threshold = unsure_below(args.model or "", args.sort_task)
    if threshold > 0:
        print(
            f"unsure below {threshold:.0%}: the threshold {args.model} saved (--min-score "
            "changes it)",
            file=sys.stderr,
        )
    return threshold


def sort_and_report(results: Sequence[ItemResult], args: argparse.Namespace) -> bool:
    """Sort the results as the options say and print where each input went; whether every
    input was classified and placed."""
    options = SortInto(args.sort_into, args.move, _min_score(args), args.dry_run)
    outcome = drive(sort_results(results, options), ProgressDisplay(quiet=args.json))
    if args.json:
        print(json.dumps(_to_json(outcome), indent=2, ensure_ascii=False))
    else:
        _print(outcome, options)
    return not (outcome.unclassified or outcome.failed)


def _print(outcome: SortOutcome, options: SortInto) -> None:
    verb = "would " if options.dry_run else ""
    action = "move" if options.move else "copy"
    for p in outcome.placements:
        if p.error:
            print(f"{p.source}: NOT {action.upper()}ED ({p.error}); left where it is")
        else:
            print(f"{p.source} -> {p.destination}  ({p.label} {p.score:.1%})")
    for r in outcome.unclassified:
        print(f"{r.path}: NOT SORTED ({r.error}); left where it is")
    counts = format_counts(outcome.counts())
    summary = f"{verb}{action}: {counts}"
    if outcome.manifest:
        summary += f"; manifest {outcome.manifest}"
    if options.dry_run:
        summary += " (dry run: nothing was touched)"
    print(summary, file=sys.stderr)


def _to_json(outcome: SortOutcome) -> dict[str, object]:
    return {
        "placed": [
            {
                "source": p.source,
                "destination": p.destination,
                "label": p.label,
                "score": round(p.score, 6),
                "error": p.error or None,
            }
            for p in outcome.placements
        ],
        "unclassified": [{"source": r.path, "error": r.error} for r in outcome.unclassified],
        "manifest": str(outcome.manifest) if outcome.manifest else None,
    }
