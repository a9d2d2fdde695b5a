"""Is training worth it? The same held-out files, scored at each step a user could pay for.

Zero-shot (texts: the class names as labels) costs nothing; a logistic-regression probe on
the frozen embeddings (the audit's, cached) costs seconds; head mode and full fine-tuning
cost minutes. Each rung trains on the same training files and is measured on the same
validation files (the training job's own split: same fraction, same seed), and is reported
the moment it is done, so a user can stop once the next rung is not worth its minutes.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from collections.abc import Callable, Generator
from dataclasses import dataclass
from functools import partial
from typing import cast

import numpy as np

from fmstudio.core import paths
from fmstudio.core.audit.embeddings import embed
from fmstudio.core.classify.metrics import Evaluation, score_predictions
from fmstudio.core.classify.scan import DatasetReport, scan
from fmstudio.core.data.split import VAL_SPLIT
from fmstudio.core.devices import resolve_device
from fmstudio.core.errors import FmError
from fmstudio.core.events import Activity, CancelToken, Event, Partial, phase
from fmstudio.core.modalities import import_target, modality
from fmstudio.core.requests import Ladder


@dataclass(frozen=True)
class Rung:
    """One step: what it is, its held-out accuracy and macro-F1, and what it took."""

    name: str
    accuracy: float
    macro_f1: float
    seconds: float


def _without_partials(
    job: Generator[Event, None, Evaluation],
) -> Generator[Event, None, Evaluation]:
    """A step's events but its own partial results (the ladder's partials are its rungs)."""
    while True:
        try:
            event = next(job)
        except StopIteration as done:
            return cast(Evaluation, done.value)
        if not isinstance(event, Partial):
            yield event


def _rung(name: str, evaluation: Evaluation, started: float) -> Rung:
    return Rung(name, evaluation.accuracy, evaluation.macro_f1, time.monotonic() - started)


def _zero_shot(
    report: DatasetReport, device: str, cancel: CancelToken
) -> Generator[Event, None, Evaluation]:
    name_best = import_target(modality(report.task).zero_shot)
    best = yield from name_best(report.val, report.classes, device, cancel)
    predicted = [report.classes.index(label) for label in best]
    return score_predictions(report.classes, _truth(report), predicted)


def _truth(report: DatasetReport) -> list[int]:
    return [report.classes.index(s.label) for s in report.val]


def _probe(
    report: DatasetReport, device: str, cancel: CancelToken
) -> Generator[Event, None, Evaluation]:
    from sklearn.linear_model import LogisticRegression

    task = report.task
    samples = report.train + report.val
    model = modality(task).base_model
    vectors = yield from embed(samples, task, model, report.classes, device, cancel)
    train, val = vectors[: len(report.train)], vectors[len(report.train) :]
    labels = np.array([report.classes.index(s.label) for s in report.train])
    probe = LogisticRegression(max_iter=2000).fit(train, labels)
    return score_predictions(report.classes, _truth(report), probe.predict(val).tolist())


def _trained(
    request: Ladder, report: DatasetReport, mode: str, cancel: CancelToken
) -> Generator[Event, None, Evaluation]:
    from fmstudio.core.classify.train_job import fine_tune
    from fmstudio.core.train.spec import TrainSpec

    scratch = tempfile.mkdtemp(prefix="ladder-", dir=paths.cache_dir())
    try:
        spec = TrainSpec(
            request.task,
            request.root,
            f"{scratch}/{mode}",
            mode=mode,
            seed=request.seed,
            device=request.device,
        )
        result = yield from fine_tune(spec, report=report, cancel=cancel)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    if result.evaluation is None:
        raise FmError("the ladder needs held-out files to measure each step on")
    return result.evaluation


def ladder(
    request: Ladder, *, cancel: CancelToken | None = None
) -> Generator[Event, None, list[Rung]]:
    """Each rung's figures, as a `Partial` when done and all of them at the end."""
    cancel = cancel or CancelToken()
    yield Activity(f"Scanning {request.root}…")
    report = scan(request.root, request.task, VAL_SPLIT, request.seed)
    if not report.ok or not report.val:
        raise FmError(
            "the dataset cannot be measured:\n" + "\n".join(report.errors or ["no held-out files"])
        )
    device = resolve_device(request.device)
    steps: list[tuple[str, Callable[[], Generator[Event, None, Evaluation]]]] = []
    if modality(request.task).zero_shot:
        steps.append(("zero-shot", partial(_zero_shot, report, device, cancel)))
    steps.append(("probe", partial(_probe, report, device, cancel)))
    allowed = modality(request.task).defaults().modes
    steps += [
        (m, partial(_trained, request, report, m, cancel)) for m in request.modes if m in allowed
    ]
    rungs: list[Rung] = []
    for i, (name, step) in enumerate(steps):
        yield Activity(f"Measuring {name}…")
        started = time.monotonic()
        evaluation = yield from phase(
            _without_partials(step()), i / len(steps), (i + 1) / len(steps)
        )
        rungs.append(_rung(name, evaluation, started))
        yield Partial((rungs[-1],))
    return rungs
