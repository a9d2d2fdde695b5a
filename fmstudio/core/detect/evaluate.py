"""The detector's evaluate job: run a model over a box dataset and score it with pycocotools.

A dataset with val/ or test/ folders is measured on those (the held-out images); otherwise on
every image (`BoxReport.measured`; the scan leaves duplicate pictures out). Only the classes
the model knows are scored (a COCO model on a dataset of its own classes and others: "where
its classes apply"); the rest are named as not measured.
"""

from __future__ import annotations

from collections.abc import Generator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from fmstudio.core import loading
from fmstudio.core.data.images import load_image
from fmstudio.core.detect.formats import Labelled
from fmstudio.core.detect.metrics import DetectionScores, score
from fmstudio.core.detect.models import Detector
from fmstudio.core.detect.results import MIN_SCORE, Box
from fmstudio.core.detect.scan import BoxExample, BoxReport, scan_boxes
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


def only_classes(images: Sequence[BoxExample], classes: Sequence[str]) -> list[Labelled]:
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
    if report is None:
        report = scan_boxes(request.data)
    images = report.measured()
    if not images:
        raise FmError("no images to evaluate:\n" + report.summary(evaluating=True))
    yield Activity(f"Loading {request.model or DETECT.default_model}…")
    device = resolve_device(request.device)
    detector: Detector = loading.cached_load(
        request.model or DETECT.default_model, DETECT.task, device, cancel
    )
    scored = [c for c in report.classes if c in detector.classes]
    not_known = [c for c in report.classes if c not in detector.classes]
    if not scored:
        raise FmError(f"{detector.name} knows none of the dataset's classes")
    if not_known:
        yield Log(f"not measured (the model has no such class): {', '.join(not_known)}")
    tracker = EtaTracker(len(images))
    batch = request.batch_size or DETECT.default_batch
    paths = [im.path for im in images]
    found = yield from run_detector(detector, paths, batch, cancel, tracker)
    truth = only_classes(images, scored)
    return DetectionEvaluation(
        detector.name,
        score(truth, found, scored, MIN_SCORE),
        scored,
        not_known,
        [(s.path, s.reason) for s in report.skipped],
        found,
        truth,
    )
