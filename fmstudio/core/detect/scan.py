"""A box dataset checked before training: its health report and the train/validation split.

The report says what a detector learns from: images, boxes per class, images with no boxes
(backgrounds, kept), boxes left out (outside the image, no area, unknown class: named by the
reader) and duplicate pictures (the second is left out, or it could land in both splits).
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Generator, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

from fmstudio.core.data.report import Skipped
from fmstudio.core.data.split import KEPT, VAL_SPLIT, kept_apart, seeded_split
from fmstudio.core.detect.formats import Labelled, read_dataset
from fmstudio.core.detect.results import Box
from fmstudio.core.errors import FmError
from fmstudio.core.events import Activity, CancelToken, Event
from fmstudio.core.requests import Scan
from fmstudio.core.wording import plural

FEW_BOXES = 10
"""Below this many boxes a class is named in a warning: a detector learns little from it."""


@dataclass(frozen=True)
class BoxExample:
    """One training image: its boxes, its size and its content hash."""

    path: str
    boxes: tuple[Box, ...]
    size: tuple[int, int]
    sha256: str

    @property
    def label(self) -> str:
        """What the model learns from this image (its place in the dataset hash)."""
        return "; ".join(f"{b.label} {[round(v) for v in b.box]}" for b in self.boxes)


@dataclass
class BoxReport:
    root: str
    format: str = ""
    classes: list[str] = field(default_factory=list)
    train: list[BoxExample] = field(default_factory=list)
    val: list[BoxExample] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    split: str = "seeded"
    task: str = "detect"

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def images(self) -> list[BoxExample]:
        return self.train + self.val

    def counts(self) -> dict[str, int]:
        """Boxes per class (the classes' order)."""
        found = Counter(b.label for im in self.images for b in im.boxes)
        return {c: found[c] for c in self.classes}

    def class_files(self) -> dict[str, tuple[str, str]]:
        return {}

    def resplit(self, val_split: float, seed: int) -> BoxReport:
        if self.split in ("folders", KEPT):
            return self
        train, val = seeded_split(self.images, val_split, seed)
        return replace(self, train=train, val=val)

    def keep_validation(self, files: Iterable[str]) -> BoxReport:
        train, val = kept_apart(self.images, self.root, files)
        if not val or self.split == "folders":
            return self
        return replace(self, train=train, val=val, split=KEPT)

    def measured(self) -> list[BoxExample]:
        """What an evaluation measures: the val/test folders where the dataset has them,
        else every image."""
        return self.val if self.split == "folders" else self.images

    def summary(self, evaluating: bool = False) -> str:
        empty = sum(not im.boxes for im in self.images)
        head = (
            f"{plural(len(self.measured()), 'image')} to evaluate"
            if evaluating
            else f"{plural(len(self.images), 'image')} ({self.format.upper()}): "
            f"{len(self.train)} training and {len(self.val)} validation ({self.split} split)"
        )
        lines = [
            f"{head}; {plural(empty, 'image')} with no boxes (backgrounds, kept)",
            "boxes: " + ", ".join(f"{c} {n}" for c, n in self.counts().items()),
        ]
        lines += [f"skipped {s.path}: {s.reason}" for s in self.skipped]
        lines += [f"warning: {w}" for w in self.warnings]
        lines += [f"error: {e}" for e in self.errors]
        return "\n".join(lines)


def _hash(path: str) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def _examples(images: list[Labelled], skipped: list[Skipped]) -> list[BoxExample]:
    """The images as examples; a picture seen before is left out with the first's name."""
    seen: dict[str, str] = {}
    examples = []
    for image in images:
        digest = _hash(image.path)
        if digest in seen:
            skipped.append(Skipped(image.path, f"the same picture as {seen[digest]}"))
            continue
        seen[digest] = image.path
        examples.append(BoxExample(image.path, image.boxes, image.size, digest))
    return examples


def scan_boxes(folder: str, val_split: float = VAL_SPLIT, seed: int = 0) -> BoxReport:
    """Read and check the dataset in `folder`, split for training."""
    try:
        dataset = read_dataset(folder)
    except FmError as exc:
        return BoxReport(str(folder), errors=[str(exc)])
    skipped = list(dataset.skipped)
    examples = _examples(dataset.images, skipped)
    report = BoxReport(dataset.root, dataset.format, dataset.classes, skipped=skipped)
    splits = {im.path: im.split for im in dataset.images}
    if any(splits[e.path] in ("val", "test") for e in examples):
        report.train = [e for e in examples if splits[e.path] not in ("val", "test")]
        report.val = [e for e in examples if splits[e.path] in ("val", "test")]
        report.split = "folders"
    else:
        report.train = examples
        report = report.resplit(val_split, seed)
    _check(report)
    return report


def _check(report: BoxReport) -> None:
    counts = report.counts()
    if not report.images:
        report.errors.append(f"{report.root} has no image fmstudio could read")
    elif not any(counts.values()):
        report.errors.append("no image has a box: a detector needs boxes to learn from")
    few = [c for c, n in counts.items() if n < FEW_BOXES]
    if few and any(counts.values()):
        report.warnings.append(
            f"few boxes (under {FEW_BOXES}) of {', '.join(few)}: expect weak results for them"
        )


def scan_job(
    request: Scan, *, cancel: CancelToken | None = None
) -> Generator[Event, None, BoxReport]:
    """`scan_boxes` as a job, for the wizard's worker: every image is decoded."""
    yield Activity(f"Checking {request.root}…")
    return scan_boxes(request.root, request.val_split, request.seed)
