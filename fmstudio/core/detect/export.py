"""The Detect tab's results saved as a file other tools read: CSV (a row per box), COCO JSON
(image paths relative to the file where they can be) or YOLO (classes.txt and a labels/ folder
beside it, a .txt per image). Only boxes at or above the threshold shown are written."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from fmstudio.core.atomic import atomic_write_text
from fmstudio.core.detect.formats import (
    CLASSES_FILE,
    BoxSet,
    from_detections,
    write_classes,
    write_coco,
    yolo_lines,
)
from fmstudio.core.detect.results import Detections
from fmstudio.core.spreadsheet import to_csv


def _csv(results: Sequence[Detections], min_score: float) -> str:
    header = ["path", "label", "score", "x1", "y1", "x2", "y2", "error"]
    rows = []
    for r in results:
        if not r.ok:
            rows.append([r.path, "", "", "", "", "", "", r.error or ""])
        for b in r.above(min_score):
            rows.append([r.path, b.label, f"{b.score:.4f}", *(f"{v:.1f}" for v in b.box), ""])
    return to_csv(header, rows)


def _yolo(dataset: BoxSet, target: Path) -> None:
    """classes.txt at `target`, each image's lines in labels/<name>.txt beside it (two
    images of one name get name-2.txt, ... : never one file for both)."""
    labels = target.parent / "labels"
    labels.mkdir(parents=True, exist_ok=True)
    taken: set[str] = set()
    for image in dataset.images:
        stem, n = Path(image.path).stem, 1
        while (name := stem if n == 1 else f"{stem}-{n}") in taken:
            n += 1
        taken.add(name)
        atomic_write_text(labels / f"{name}.txt", yolo_lines(image, dataset.classes))
    write_classes(target, dataset.classes)


def export_detections(results: Sequence[Detections], min_score: float, target: Path) -> str:
    """Write by `target`'s name (.csv, .json, or classes.txt for YOLO); what was written."""
    dataset = from_detections(results, min_score, target.parent)
    boxes = sum(len(im.boxes) for im in dataset.images)
    if target.name == CLASSES_FILE:
        _yolo(dataset, target)
        return f"{boxes} boxes of {len(dataset.images)} images as YOLO labels in {target.parent}"
    if target.suffix.lower() == ".json":
        write_coco(dataset, target)
        return f"{boxes} boxes of {len(dataset.images)} images as COCO JSON to {target}"
    atomic_write_text(target, _csv(results, min_score))
    return f"{boxes} boxes to {target}"
