"""`fmstudio audit`: what looks wrong in a dataset folder, before training on it."""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING

from fmstudio.cli.options import add_device_option
from fmstudio.cli.progress import ProgressDisplay, drive
from fmstudio.core.errors import FmError
from fmstudio.core.modalities import CLASSIFIER, MODALITIES, trainable_tasks
from fmstudio.core.requests import Audit, Ladder

if TYPE_CHECKING:
    from fmstudio.core.audit.job import AuditResult

SHOWN = 20
"""Lines per finding in the plain report (--json has them all)."""


def classifier_tasks() -> list[str]:
    return [t for t in trainable_tasks() if MODALITIES[t].family is CLASSIFIER]


def guess_task(root: Path) -> str:
    """The classifier task whose files the folder holds most of."""
    files = (p for p in root.rglob("*") if p.is_file() and not p.name.startswith("."))
    counts = Counter(
        task
        for path in files
        for task in classifier_tasks()
        if path.suffix.lower() in MODALITIES[task].example_suffixes
    )
    if not counts:
        raise FmError(f"{root} holds no images, texts or recordings in class folders; add --task")
    return counts.most_common(1)[0][0]


def _print(result: AuditResult, limit: int) -> None:
    print(result.summary())
    found = result.to_json()
    if found["suspects"]:
        print("\nlikely label errors (given → suggested, confidence in the given label):")
    for s in found["suspects"][:limit]:
        print(f"  {s['path']}: {s['given']} → {s['suggested']} ({s['score']:.2f})")
    for title, key in (("near duplicates", "duplicates"), ("leaks (training ~ held out)", "leaks")):
        if found[key]:
            print(f"\n{title}:")
        for a, b, similarity in found[key][:limit]:
            print(f"  {similarity:.3f}  {a}  ~  {b}")
    if found["outliers"]:
        print("\noutliers (unlike the rest of their class):")
    for o in found["outliers"][:limit]:
        print(f"  {o['path']} ({o['label']}, distance {o['distance']:.3f})")
    if found["overlaps"]:
        print("\noverlapping classes (share of a class the probes take for another):")
    for o in found["overlaps"][:limit]:
        print(f"  {o['class']} → {o['taken_for']}: {o['share']:.0%}")


def _ladder(root: Path, task: str, args: argparse.Namespace) -> int:
    """Each rung's line as it finishes (a JSON list at the end under --json)."""
    from fmstudio.core.audit.ladder import ladder
    from fmstudio.core.events import Event, Partial
    from fmstudio.core.wording import duration

    if not args.json:
        print(f"{'step':<10} {'accuracy':>9} {'macro-F1':>9} {'time':>8}")

    def show(event: Event) -> None:
        if isinstance(event, Partial) and not args.json:
            for r in event.items:
                time = duration(r.seconds)
                print(f"{r.name:<10} {r.accuracy:>9.1%} {r.macro_f1:>9.3f} {time:>8}")

    job = ladder(Ladder(str(root), task, args.device))
    rungs = drive(job, ProgressDisplay(quiet=args.json), show)
    if args.json:
        print(json.dumps([vars(r) for r in rungs], indent=2))
    return 0


def write_map(result: AuditResult, target: Path) -> None:
    """The embedding map as CSV (path, label, x, y), whole or not at all."""
    from fmstudio.core.atomic import atomic_write_text
    from fmstudio.core.spreadsheet import to_csv

    points = result.points
    assert points is not None  # every audit draws its map
    rows = (
        [s.path, s.label, f"{x:.5f}", f"{y:.5f}"]
        for s, (x, y) in zip(result.samples, points.tolist(), strict=True)
    )
    atomic_write_text(target, to_csv(["path", "label", "x", "y"], rows))
    print(f"map of {len(result.samples)} examples written to {target}", file=sys.stderr)


def _audit(args: argparse.Namespace) -> int:
    from fmstudio.core.audit.job import audit

    root = Path(args.data).expanduser()
    if not root.is_dir():
        raise FmError(f"{root} is not a folder of class folders")
    task = args.task or guess_task(root)
    if args.ladder:
        return _ladder(root, task, args)
    request = Audit(str(root), task, args.model or "", args.device)
    result = drive(audit(request), ProgressDisplay(quiet=args.json))
    if args.map:
        write_map(result, Path(args.map))
    if args.json:
        print(json.dumps(result.to_json(), indent=2, ensure_ascii=False))
    else:
        _print(result, SHOWN)
    return 0


def add_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser(
        "audit",
        help="find likely label errors, near duplicates, leaks and outliers in a dataset",
        description="Embed every example of DATA (a folder of class folders; train/ and val/ "
        "or test/ folders too) with the task's model, cached per file, then list likely label "
        "errors (confident learning on held-out predictions of a probe), near-duplicate pairs, "
        "held-out files nearly the same as a training one (leaks) and outliers.",
    )
    parser.add_argument("data", metavar="DATA")
    parser.add_argument(
        "--task", choices=classifier_tasks(), help="default: from the files the folder holds"
    )
    parser.add_argument("--model", help="whose embeddings (default: the task's training base)")
    add_device_option(parser)
    parser.add_argument("--json", action="store_true", help="print every finding as JSON")
    parser.add_argument(
        "--map",
        metavar="CSV",
        help="also write the embedding map: each example's path, label and x, y (t-SNE)",
    )
    parser.add_argument(
        "--ladder",
        action="store_true",
        help="instead: is training worth it? accuracy, macro-F1 and minutes of zero-shot "
        "(texts), a probe on frozen embeddings, head mode and full fine-tuning, on the same "
        "held-out files",
    )
    parser.set_defaults(func=_audit)
