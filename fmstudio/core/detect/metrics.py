"""Detection metrics by pycocotools, the COCO benchmark's own code: mAP@0.5:0.95, mAP@0.5,
AP per class, and precision and recall at the user's score threshold (IoU 0.5)."""

from __future__ import annotations

import contextlib
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from fmstudio.core.detect.formats import Labelled
from fmstudio.core.detect.results import Box


@dataclass(frozen=True)
class ImageMistakes:
    """One image's misses (objects no box found) and false boxes, at the threshold."""

    path: str
    missed: int
    false: int


@dataclass
class DetectionScores:
    map: float
    """Mean AP over IoU 0.5 to 0.95 (COCO's headline figure), over the classes with objects."""
    map_50: float
    per_class: dict[str, float]
    """AP@0.5:0.95 of each class with objects in the data (-1 where it has none)."""
    precision: float
    recall: float
    threshold: float
    images: int
    objects: int
    worst: list[ImageMistakes] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "map": round(self.map, 4),
            "map_50": round(self.map_50, 4),
            "per_class_ap": {k: round(v, 4) for k, v in self.per_class.items()},
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "threshold": self.threshold,
            "images": self.images,
            "objects": self.objects,
            "worst": [vars(w) for w in self.worst],
        }


def _xywh(box: Box) -> list[float]:
    x1, y1, x2, y2 = box.box
    return [x1, y1, x2 - x1, y2 - y1]


def _coco_pair(
    truth: Sequence[Labelled], found: Sequence[Sequence[Box]], classes: Sequence[str]
) -> tuple[Any, Any]:
    """Ground truth and detections as pycocotools objects (classes not in `classes` out)."""
    from pycocotools.coco import COCO

    ids = {name: i + 1 for i, name in enumerate(classes)}
    notes: list[dict[str, Any]] = []
    for n, image in enumerate(truth):
        for box in image.boxes:
            x, y, w, h = _xywh(box)
            notes.append({"id": len(notes) + 1, "image_id": n, "category_id": ids[box.label],
                          "bbox": [x, y, w, h], "area": w * h, "iscrowd": 0})  # fmt: skip
    sizes = [im.size for im in truth]
    gt = COCO()
    gt.dataset = {
        "images": [{"id": n, "width": w, "height": h} for n, (w, h) in enumerate(sizes)],
        "categories": [{"id": i, "name": name} for name, i in ids.items()],
        "annotations": notes,
    }
    with contextlib.redirect_stdout(io.StringIO()):  # pycocotools prints as it indexes
        gt.createIndex()
        detections = [
            {"image_id": n, "category_id": ids[b.label], "bbox": _xywh(b), "score": b.score}
            for n, boxes in enumerate(found)
            for b in boxes
            if b.label in ids
        ]
        dt = gt.loadRes(detections) if detections else COCO()
    return gt, dt


def score(
    truth: Sequence[Labelled],
    found: Sequence[Sequence[Box]],
    classes: Sequence[str],
    threshold: float,
    worst: int = 10,
) -> DetectionScores:
    """The model's boxes (`found`, one list per image of `truth`) against the true ones."""
    from pycocotools.cocoeval import COCOeval

    gt, dt = _coco_pair(truth, found, classes)
    objects = sum(len(im.boxes) for im in truth)
    if not objects or not dt.dataset:
        return _nothing(truth, found, classes, threshold, objects)
    evaluator = COCOeval(gt, dt, "bbox")
    evaluator.params.maxDets = [1, 10, 100]
    with contextlib.redirect_stdout(io.StringIO()):
        evaluator.evaluate()
        evaluator.accumulate()
        evaluator.summarize()
    precision = evaluator.eval["precision"]  # [IoU, recall, class, area, maxDets]
    per_class = {}
    for k, name in enumerate(classes):
        values = precision[:, :, k, 0, -1]
        per_class[name] = float(values[values > -1].mean()) if (values > -1).any() else -1.0
    tp, fp, fn, mistakes = _at_threshold(evaluator, truth, threshold)
    return DetectionScores(
        map=max(float(evaluator.stats[0]), 0.0),
        map_50=max(float(evaluator.stats[1]), 0.0),
        per_class=per_class,
        precision=tp / (tp + fp) if tp + fp else 0.0,
        recall=tp / (tp + fn) if tp + fn else 0.0,
        threshold=threshold,
        images=len(truth),
        objects=objects,
        worst=sorted(mistakes, key=lambda m: -(m.missed + m.false))[:worst],
    )


def _at_threshold(
    evaluator: Any, truth: Sequence[Labelled], threshold: float
) -> tuple[int, int, int, list[ImageMistakes]]:
    """True and false positives and misses at IoU 0.5 among boxes scoring >= threshold, from
    pycocotools' own matching (its per-image records, all areas, up to 100 boxes)."""
    tp = fp = fn = 0
    per_image: dict[int, list[int]] = {}
    for record in evaluator.evalImgs:
        if record is None or record["aRng"] != evaluator.params.areaRng[0]:
            continue
        scores = np.asarray(record["dtScores"])
        sure = scores >= threshold
        matched = np.asarray(record["dtMatches"])[0] > 0  # IoU 0.5
        ignored = np.asarray(record["dtIgnore"])[0] > 0
        hits = int((sure & matched & ~ignored).sum())
        false = int((sure & ~matched & ~ignored).sum())
        missed = int((~np.asarray(record["gtIgnore"], dtype=bool)).sum()) - hits
        tp, fp, fn = tp + hits, fp + false, fn + missed
        counts = per_image.setdefault(record["image_id"], [0, 0])
        counts[0] += missed
        counts[1] += false
    mistakes = [ImageMistakes(truth[i].path, m, f) for i, (m, f) in per_image.items() if m or f]
    return tp, fp, fn, mistakes


def _nothing(
    truth: Sequence[Labelled],
    found: Sequence[Sequence[Box]],
    classes: Sequence[str],
    threshold: float,
    objects: int,
) -> DetectionScores:
    """No true objects or no boxes at all: every object missed, every box false."""
    mistakes = [
        ImageMistakes(im.path, len(im.boxes), sum(b.score >= threshold for b in boxes))
        for im, boxes in zip(truth, found, strict=True)
    ]
    present = {b.label for im in truth for b in im.boxes}
    per_class = {c: 0.0 if c in present else -1.0 for c in classes}
    return DetectionScores(
        0.0, 0.0, per_class, 0.0, 0.0, threshold, len(truth), objects,
        sorted((m for m in mistakes if m.missed or m.false), key=lambda m: -(m.missed + m.false)),
    )  # fmt: skip
