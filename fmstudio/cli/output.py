"""Printing classifier results: one JSON list, or a readable table; and the exit status."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Generator, Sequence
from typing import IO

from fmstudio.cli.progress import ProgressDisplay, drive
from fmstudio.cli.sort import sort_and_report
from fmstudio.core.classify.results import ItemResult, results_to_json
from fmstudio.core.events import Event

EXIT_OK = 0
EXIT_SOME_FAILED = 2


def print_results(
    results: Sequence[ItemResult],
    as_json: bool,
    stream: IO[str] | None = None,
    unsure_below: float = 0.0,
) -> int:
    """Print every result (failures too), then return 0, or 2 when any input failed; a top
    score under the model's `unsure_below` is marked "(unsure)" in the table."""
    stream = stream or sys.stdout
    if as_json:
        print(results_to_json(results), file=stream)
    else:
        width = min(max((len(r.path) for r in results), default=4), 60)
        for r in results:
            shown = r.path if len(r.path) <= width else "…" + r.path[-(width - 1) :]
            if r.ok:
                ranking = ", ".join(f"{p.label} {p.score:.1%}" for p in r.predictions)
                top = r.predictions[0].score if r.predictions else 1.0
                unsure = "  (unsure)" if top < unsure_below else ""
                print(f"{shown:<{width}}  {ranking}{unsure}", file=stream)
            else:
                print(f"{shown:<{width}}  ERROR: {r.error}", file=stream)
        failed = sum(not r.ok for r in results)
        summary = f"{len(results) - failed} classified, {failed} failed"
        print(summary, file=sys.stderr)
    return EXIT_SOME_FAILED if any(not r.ok for r in results) else EXIT_OK


def run_classify(job: Generator[Event, None, list[ItemResult]], args: argparse.Namespace) -> int:
    """Drive a classify job with a progress bar (none under --json), then print the results
    or sort the inputs into folders (--sort-into); the exit status."""
    results = drive(job, ProgressDisplay(quiet=args.json))
    if args.sort_into is None:
        from fmstudio.core.classify.calibration import unsure_below  # numpy: not for --help

        threshold = unsure_below(args.model or "", args.sort_task)
        return print_results(results, args.json, unsure_below=threshold)
    return EXIT_OK if sort_and_report(results, args) else EXIT_SOME_FAILED
