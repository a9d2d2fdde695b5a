"""The evaluate job: run a classifier over a labelled folder and measure it.

It classifies with the same code the tabs use (long texts in windows, images decoded in
full), so the figures say how the model will behave for the user, not only in training.
"""

from __future__ import annotations

from collections.abc import Generator, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from fmstudio.core import loading
from fmstudio.core.classify.metrics import (
    Evaluation,
    Misclassified,
    misclassified,
    score_predictions,
)
from fmstudio.core.classify.results import ItemResult, Prediction
from fmstudio.core.classify.scan import DatasetReport, Sample, scan
from fmstudio.core.data.thumbnail import Thumbnail
from fmstudio.core.devices import resolve_device
from fmstudio.core.errors import FmError, InputFileError
from fmstudio.core.events import Activity, CancelToken, Event, Log
from fmstudio.core.modalities import import_target, modality
from fmstudio.core.requests import Evaluate
from fmstudio.core.wording import plural, some_of

THUMBNAIL = 64
"""Misclassified images come with thumbnails this big, made on the worker for the window."""
MAX_THUMBNAILS = 200


@dataclass
class EvalResult:
    evaluation: Evaluation
    misclassified: list[Misclassified] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    results: list[ItemResult] = field(default_factory=list)
    samples: list[Sample] = field(default_factory=list)
    """The examples measured, one per entry of `results`."""


def _known(
    samples: list[Sample], labels: list[str], report: DatasetReport, model: str
) -> tuple[list[Sample], list[tuple[str, str]]]:
    """The samples of classes the model knows, and why each other one is skipped."""
    known = set(labels)
    skipped = [
        (s.path, f"class {s.label!r} is not one the model knows")
        for s in samples
        if s.label not in known
    ]
    kept = [s for s in samples if s.label in known]
    if not kept:
        raise FmError(
            f"none of the folder's classes ({some_of(report.classes)}) are classes of {model} "
            f"({plural(len(labels), 'class')}: {some_of(labels)}); evaluate a model trained "
            "on these classes"
        )
    return kept, skipped


def _classify(
    request: Evaluate, loaded: Any, samples: Sequence[Sample], cancel: CancelToken
) -> Generator[Event, None, list[ItemResult]]:
    """The tab's own classify job, with the model already loaded."""
    row = modality(request.task)
    ask = import_target(row.examples_request)(samples, loaded, request.batch_size, THUMBNAIL)
    results: list[ItemResult] = yield from import_target(row.run)(ask, cancel=cancel)
    return results


def evaluate_model(
    request: Evaluate, *, cancel: CancelToken | None = None, report: DatasetReport | None = None
) -> Generator[Event, None, EvalResult]:
    """Every example of the folder (its val/test folder when it has one) against the model."""
    cancel = cancel or CancelToken()
    report = report or scan(request.data, request.task, val_split=0.0)
    own_split = request.on == "validation" or report.split == "folders"
    samples = report.val if own_split else report.train + report.val
    if not samples:
        raise FmError(
            f"no usable examples in {request.data}: " + "; ".join(report.errors or ["empty"])
        )
    yield Activity(f"Loading {request.model}…")
    loaded = loading.cached_load(
        request.model, request.task, resolve_device(request.device), cancel
    )
    labels: list[str] | None = getattr(loaded, "labels", None)  # a zero-shot encoder has none
    if not labels:
        raise FmError(
            f"{request.model} is not a classifier with its own classes; pick a trained model"
        )
    samples, skipped = _known(samples, labels, report, request.model)
    for path, reason in skipped[:5]:
        yield Log(f"skipped {path}: {reason}", "warning")
    results = yield from _classify(request, loaded, samples, cancel)
    evaluation, mistakes, failed = _score(labels, samples, results)
    yield Log(f"accuracy {evaluation.accuracy:.1%}, macro-F1 {evaluation.macro_f1:.3f}")
    return EvalResult(
        evaluation, with_thumbnails(mistakes, results), skipped + failed, results, samples
    )


def _score(
    labels: list[str], samples: Sequence[Sample], results: Sequence[ItemResult]
) -> tuple[Evaluation, list[Misclassified], list[tuple[str, str]]]:
    """The metrics and mistakes over the classified samples, and why the others failed."""
    index = {label: i for i, label in enumerate(labels)}
    scored: list[tuple[Sample, Prediction]] = []
    failed: list[tuple[str, str]] = []
    for sample, result in zip(samples, results, strict=True):
        if result.top is None:
            failed.append((sample.path, result.error or "could not be classified"))
        else:
            scored.append((sample, result.top))
    truth = [index[s.label] for s, _ in scored]
    evaluation = score_predictions(labels, truth, [index[p.label] for _, p in scored])
    mistakes = misclassified(
        [s for s, _ in scored], [p.label for _, p in scored], [p.score for _, p in scored]
    )
    return evaluation, mistakes, failed


def with_thumbnails(
    mistakes: list[Misclassified], results: Sequence[ItemResult] = ()
) -> list[Misclassified]:
    """Mistakes on images with a small picture each (from `results`, else decoded here).

    Made on the worker, so the window never decodes a full image to show a thumbnail.
    """
    thumbs = {r.path: r.thumbnail for r in results if r.thumbnail is not None}
    out = []
    for m in mistakes[:MAX_THUMBNAILS]:
        thumb = thumbs.get(m.path)
        if thumb is None and m.text is None:
            thumb = _thumbnail(m.path)
        out.append(replace(m, thumbnail=thumb))
    return out + mistakes[MAX_THUMBNAILS:]


def _thumbnail(path: str) -> Thumbnail | None:
    from fmstudio.core.data.images import load_image, make_thumbnail

    try:
        return make_thumbnail(load_image(path), THUMBNAIL)
    except InputFileError:
        return None
