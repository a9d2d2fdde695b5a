"""The evaluate job: run a classifier over a labelled folder and measure it.

It classifies with the same code the tabs use (long texts in windows, images decoded in
full), so the figures say how the model will behave for the user, not only in training.
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass, field
from pathlib import Path

from fmstudio.core import catalog
from fmstudio.core.data.folders import DatasetReport, scan
from fmstudio.core.devices import resolve_device
from fmstudio.core.errors import FmError
from fmstudio.core.events import CancelToken, Event, Log
from fmstudio.core.results import ItemResult
from fmstudio.core.train.metrics import Evaluation, Misclassified, evaluate


@dataclass
class EvalResult:
    evaluation: Evaluation
    misclassified: list[Misclassified] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    results: list[ItemResult] = field(default_factory=list)


def evaluate_model(
    task: str,
    model: str,
    data: str | Path,
    batch_size: int = 16,
    device: str = "auto",
    cancel: CancelToken | None = None,
    report: DatasetReport | None = None,
) -> Generator[Event, None, EvalResult]:
    """Every example of `data` (its val/test folder when it has one) against `model`."""
    cancel = cancel or CancelToken()
    if report is None:
        report = scan(data, task, val_split=0.0)
    samples = report.val if report.split == "folders" else report.train + report.val
    if not samples:
        raise FmError(f"no usable examples in {data}: " + "; ".join(report.errors or ["empty"]))
    yield Log(f"Loading {model}…")
    loaded = catalog.load(model, task, resolve_device(device))
    labels: list[str] | None = getattr(loaded, "labels", None)  # a zero-shot encoder has none
    if not labels:
        raise FmError(f"{model} is not a classifier with its own classes; pick a trained model")
    known = set(labels)
    skipped = [
        (s.path, f"class {s.label!r} is not one the model knows")
        for s in samples
        if s.label not in known
    ]
    samples = [s for s in samples if s.label in known]
    if not samples:
        raise FmError(
            f"none of the folder's classes ({', '.join(report.classes)}) are classes of {model} "
            f"({', '.join(labels)})"
        )
    for path, reason in skipped[:5]:
        yield Log(f"skipped {path}: {reason}", "warning")
    if task == "image":
        from fmstudio.core.image.classify import classify_images

        job = classify_images(
            [s.path for s in samples], loaded, top_k=1, batch_size=batch_size, cancel=cancel
        )
    else:
        from fmstudio.core.text.classify import classify_texts

        job = classify_texts(
            model=loaded,
            top_k=1,
            batch_size=batch_size,
            cancel=cancel,
            texts=[s.text or "" for s in samples],
        )
    results: list[ItemResult] = yield from job
    index = {label: i for i, label in enumerate(labels)}
    truth, predicted = [], []
    misclassified: list[Misclassified] = []
    for sample, result in zip(samples, results, strict=True):
        if result.top is None:
            skipped.append((sample.path, result.error or "could not be classified"))
            continue
        truth.append(index[sample.label])
        predicted.append(index[result.top.label])
        if result.top.label != sample.label:
            misclassified.append(
                Misclassified(
                    sample.path, sample.label, result.top.label, result.top.score, sample.text
                )
            )
    evaluation = evaluate(labels, truth, predicted)
    yield Log(f"accuracy {evaluation.accuracy:.1%}, macro-F1 {evaluation.macro_f1:.3f}")
    return EvalResult(evaluation, misclassified, skipped, results)
