"""The detector's evaluate job: run a model over a box dataset and score it with pycocotools.

A dataset with val/ or test/ folders is measured on those (the held-out images); otherwise on
every image. Only the classes the model knows are scored (a COCO model on a dataset of its own
classes and others: "where its classes apply"); the rest are named as not measured.
"""

from __future__ import annotations

from collections.abc import Generator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from fmstudio.core import loading
from fmstudio.core.data.images import load_image
from fmstudio.core.data.report import Skipped
from fmstudio.core.detect.formats import BoxSet, Labelled, read_dataset
from fmstudio.core.detect.metrics import DetectionScores, score
from fmstudio.core.detect.models import Detector
from fmstudio.core.detect.results import MIN_SCORE, Box
from fmstudio.core.detect.scan import BoxReport
from fmstudio.core.devices import resolve_device
from fmstudio.core.errors import FmError
from fmstudio.core.events import Activity, CancelToken, EtaTracker, Event, Log
from fmstudio.core.modalities import DETECT
from fmstudio.core.requests import Evaluate


@dataclass
class DetectionEvaluation:
    model: str
    scores: DetectionScores
    classes: list[str]
    """The dataset's classes the model was scored on."""
    not_known: list[str] = field(default_factory=list)
    """The dataset's classes the model has no name for (not scored)."""
    skipped: list[tuple[str, str]] = field(default_factory=list)
    found: list[list[Box]] = field(default_factory=list)
    """The model's boxes on each measured image (at least results.KEEP_SCORE)."""
    images: list[Labelled] = field(default_factory=list)


def held_out(dataset: BoxSet) -> list[Labelled]:
    """The val/test images when the dataset names them, else every image."""
    kept = [im for im in dataset.images if im.split in ("val", "test")]
    return kept or list(dataset.images)


def _to_measure(
    request: Evaluate, report: BoxReport | None
) -> tuple[list[Labelled], list[str], list[Skipped]]:
    """The images to measure, the dataset's classes and what its reading left out."""
    if report is not None:
        images = [Labelled(e.path, e.boxes, e.size) for e in report.measured()]
        return images, report.classes, report.skipped
    dataset = read_dataset(request.data)
    return held_out(dataset), dataset.classes, dataset.skipped


def _known(images: Sequence[Labelled], classes: Sequence[str]) -> list[Labelled]:
    """The images with only the boxes of `classes` (an image of other classes is then a
    background image for this model: its boxes there are false)."""
    return [
        Labelled(im.path, tuple(b for b in im.boxes if b.label in classes), im.size)
        for im in images
    ]


def run_detector(
    detector: Detector,
    paths: Sequence[str],
    batch_size: int,
    cancel: CancelToken,
    tracker: EtaTracker | None = None,
) -> Generator[Event, None, list[list[Box]]]:
    """The detector's boxes on each image, in batches, with progress."""
    found: list[list[Box]] = []
    for start in range(0, len(paths), batch_size):
        cancel.raise_if_cancelled()
        batch = paths[start : start + batch_size]
        found += detector.detect([load_image(path) for path in batch])
        if tracker is not None:
            yield tracker.progress(len(found), Path(batch[-1]).name)
    return found


def evaluate_detector(
    request: Evaluate, *, report: BoxReport | None = None, cancel: CancelToken | None = None
) -> Generator[Event, None, DetectionEvaluation]:
    """`request.model` on the dataset's held-out images (or on `report`'s, already scanned by
    the wizard's Data page)."""
    cancel = cancel or CancelToken()
    images, classes, skipped = _to_measure(request, report)
    if not images:
        raise FmError(f"{request.data} has no image fmstudio could read")
    yield Activity(f"Loading {request.model or DETECT.default_model}…")
    device = resolve_device(request.device)
    detector: Detector = loading.cached_load(
        request.model or DETECT.default_model, DETECT.task, device, cancel
    )
    scored = [c for c in classes if c in detector.classes]
    not_known = [c for c in classes if c not in detector.classes]
    if not scored:
        raise FmError(f"{detector.name} knows none of the dataset's classes")
    if not_known:
        yield Log(f"not measured (the model has no such class): {', '.join(not_known)}")
    tracker = EtaTracker(len(images))
    batch = request.batch_size or DETECT.default_batch
    paths = [im.path for im in images]
    found = yield from run_detector(detector, paths, batch, cancel, tracker)
    truth = _known(images, scored)
    return DetectionEvaluation(
        detector.name,
        score(truth, found, scored, MIN_SCORE),
        scored,
        not_known,
        [(s.path, s.reason) for s in skipped],
        found,
        truth,
    )
