"""The classifiers' fine-tune steps: read the data → head | warm-up + full → evaluate.

`head` trains the classifier on cached frozen-backbone features (seconds on a CPU). `full`
first does the same as a warm start, then fine-tunes the whole network with a low learning
rate: a warm head keeps the random initial classifier from wrecking the pretrained features.
Each stage is a slice of one progress bar, so it moves once from 0 to 100 %. The driver
(`core/train/job.py`) scans, plans, loads, saves and writes the card around these steps.
"""

from __future__ import annotations

from collections.abc import Generator, Sequence, Sized
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, cast

import numpy as np
import torch
from torch.utils.data import Dataset, Subset, TensorDataset

from fmstudio.core.classify.calibration import Thresholds, calibrate, softmax
from fmstudio.core.classify.evaluate import with_thumbnails
from fmstudio.core.classify.metrics import (
    Evaluation,
    Misclassified,
    misclassified,
    score_predictions,
)
from fmstudio.core.classify.scan import DatasetReport, Sample, scan
from fmstudio.core.events import Activity, CancelToken, Event, Log, PauseGate, phase
from fmstudio.core.train import distributed
from fmstudio.core.train.events import WARM_UP, EpochMetrics
from fmstudio.core.train.finetuner import ClassifierFinetuner, Finetuner
from fmstudio.core.train.job import run
from fmstudio.core.train.loaders import loader_workers
from fmstudio.core.train.loop import FitResult, LoopConfig, fit
from fmstudio.core.train.plan import RunPlan
from fmstudio.core.train.spec import TrainSpec

WARM_HEAD_EPOCHS = 30
WARM_HEAD_LR = 3e-3
AUGMENTED_VIEWS = 2
"""Head mode on images also trains on this many randomly augmented views of each image."""
BALANCE_RATIO = 1.5
"""Above this ratio between the largest and the smallest class, the loss is class-weighted."""

READ_END, TRAIN_START = 0.08, 0.3
"""Progress, of the training slice: reading the data ends at 8 %; then of what is left,
features or the warm-up end where training starts."""
HEAD_FEATURES_SHARE = 0.6
"""Of a head stage, the share of the bar for computing features (training on them is quick)."""


@dataclass
class TrainResult:
    folder: Path
    spec: TrainSpec
    evaluation: Evaluation | None
    misclassified: list[Misclassified] = field(default_factory=list)
    history: list[EpochMetrics] = field(default_factory=list)
    seconds: float = 0.0
    report: DatasetReport | None = None
    """The data as the run split it: its validation files are what it was measured on."""
    thresholds: Thresholds | None = None
    """The calibrated validation scores, for the precision and recall at each threshold."""

    def metrics(self) -> dict[str, float]:
        """The figures a finished run reports (the CLI's last JSON line)."""
        if self.evaluation is None:
            return {}
        return {"accuracy": self.evaluation.accuracy, "macro_f1": self.evaluation.macro_f1}


@dataclass
class _Data:
    """The run's examples, read once: inputs for the finetuner and class indices."""

    train: list[Any]
    val: list[Any]
    y_train: list[int]
    y_val: list[int]


def class_weights(report: DatasetReport) -> list[float] | None:
    """Inverse-frequency weights (mean 1) when the training classes are imbalanced."""
    counts = [sum(1 for s in report.train if s.label == c) for c in report.classes]
    if min(counts) == 0 or max(counts) / min(counts) <= BALANCE_RATIO:
        return None
    total = sum(counts)
    return [total / (len(counts) * c) for c in counts]


def _targets(samples: Sequence[Sample], classes: list[str]) -> list[int]:
    index = {c: i for i, c in enumerate(classes)}
    return [index[s.label] for s in samples]


def _read(
    tuner: ClassifierFinetuner, report: DatasetReport, cancel: CancelToken
) -> Generator[Event, None, _Data]:
    share = len(report.train) / max(1, len(report.train) + len(report.val))
    train = yield from phase(tuner.prepare(report.train, cancel, "training"), 0.0, share)
    val = yield from phase(tuner.prepare(report.val, cancel, "validation"), share, 1.0)
    classes = report.classes
    return _Data(train, val, _targets(report.train, classes), _targets(report.val, classes))


def _head(
    tuner: ClassifierFinetuner,
    data: _Data,
    config: LoopConfig,
    views: int,
    cancel: CancelToken,
    pause: PauseGate,
    **fit_options: Any,
) -> Generator[Event, None, FitResult]:
    """Cache the frozen backbone's features (and `views` augmented ones), then fit the head."""
    parts = 2 + views

    def share(i: int) -> tuple[float, float]:
        return HEAD_FEATURES_SHARE * i / parts, HEAD_FEATURES_SHARE * (i + 1) / parts

    plain = tuner.dataset(data.train, data.y_train, train=False)
    feats = [(yield from phase(_features(tuner, plain, cancel, "training"), *share(0)))]
    for view in range(views):
        torch.manual_seed(config.seed * 100 + view)
        augmented = tuner.dataset(data.train, data.y_train, train=True)
        what = f"augmented view {view + 1} of the training"
        view_job = _features(tuner, augmented, cancel, what)
        feats.append((yield from phase(view_job, *share(1 + view))))
    val_set = None
    if data.y_val:
        val_data = tuner.dataset(data.val, data.y_val, train=False)
        val_feats = yield from phase(
            _features(tuner, val_data, cancel, "validation"), *share(parts - 1)
        )
        val_set = TensorDataset(val_feats, torch.tensor(data.y_val))
    train_feats = feats[0] if len(feats) == 1 else torch.cat(feats)
    train_set = TensorDataset(train_feats, torch.tensor(data.y_train).repeat(len(feats)))
    job = fit(tuner.head, train_set, val_set, config, cancel=cancel, pause=pause, **fit_options)
    return (yield from phase(job, HEAD_FEATURES_SHARE, 1.0))


def _features(
    tuner: ClassifierFinetuner, dataset: Dataset, cancel: CancelToken, what: str
) -> Generator[Event, None, torch.Tensor]:
    """The frozen backbone's features of every example, in order; under torchrun each process
    computes its share and all of them gather the whole."""
    mine = distributed.shard(range(len(cast(Sized, dataset))), pad=False)
    if not distributed.current().active:
        return (yield from tuner.features(dataset, cancel, what))
    feats = yield from tuner.features(Subset(dataset, mine), distributed.unshared(cancel), what)
    shares = distributed.gather((mine, feats))
    distributed.stop_together(cancel)
    order = [i for indices, _ in shares for i in indices]
    stacked = torch.cat([f for _, f in shares])
    out = torch.empty_like(stacked)
    out[torch.tensor(order, dtype=torch.long)] = stacked
    return out


def _train(
    tuner: ClassifierFinetuner,
    plan: RunPlan,
    data: _Data,
    weights: list[float] | None,
    cancel: CancelToken,
    pause: PauseGate,
) -> Generator[Event, None, FitResult]:
    """Head mode, or a warm-up of the head and then full fine-tuning."""
    spec = plan.spec
    config = LoopConfig.from_spec(spec, plan.device, "head", class_weights=weights)
    checkpoint = plan.run_dir.checkpoint_path
    if plan.mode == "head":
        views = AUGMENTED_VIEWS if spec.augment and tuner.augments else 0
        head = _head(
            tuner, data, config, views, cancel, pause, checkpoint=checkpoint, resume=plan.checkpoint
        )
        return (yield from head)
    if plan.checkpoint is None:
        yield Activity("Warming up the new classifier on frozen features…")
        warm = replace(config, phase=WARM_UP, epochs=WARM_HEAD_EPOCHS, lr=WARM_HEAD_LR, patience=0)
        yield from phase(_head(tuner, data, warm, 0, cancel, pause), 0.0, TRAIN_START)
    full = replace(
        config,
        phase="full",
        label_smoothing=0.1,
        keep_start=True,
        freeze_norm_stats=True,
        workers=loader_workers(plan.device, tuner.augments),
    )
    job = fit(
        tuner.model,
        tuner.dataset(data.train, data.y_train, train=spec.augment),
        tuner.dataset(data.val, data.y_val, train=False) if data.y_val else None,
        full,
        collate=tuner.collate,
        cancel=cancel,
        pause=pause,
        checkpoint=checkpoint,
        resume=plan.checkpoint,
    )
    return (yield from phase(job, TRAIN_START if plan.checkpoint is None else 0.0, 1.0))


def _calibrated(
    classes: list[str], data: _Data, fitted: FitResult
) -> tuple[Thresholds | None, list[float]]:
    """The temperature and unsure threshold fitted on the validation logits with the scores
    they give, and each validation example's calibrated top score (the loop's own where
    there are no logits)."""
    logits = fitted.final.logits if fitted.final is not None else []
    if len(logits) != len(data.y_val) or not logits:
        return None, fitted.val_scores
    labels = np.array(data.y_val)
    found = calibrate(np.array(logits), labels)
    probs = softmax(np.array(logits), found.temperature)
    return Thresholds(classes, probs, labels, found), probs.max(axis=1).tolist()


def _evaluate(
    report: DatasetReport, data: _Data, fitted: FitResult
) -> Generator[Event, None, tuple[Evaluation | None, list[Misclassified], Thresholds | None]]:
    if not report.val:
        return None, [], None
    evaluation = score_predictions(report.classes, data.y_val, fitted.val_predictions)
    predicted = [report.classes[p] for p in fitted.val_predictions]
    yield Log(
        f"validation accuracy {evaluation.accuracy:.1%}, macro-F1 {evaluation.macro_f1:.3f} "
        f"(best epoch {fitted.best_epoch})"
    )
    thresholds, scores = _calibrated(report.classes, data, fitted)
    if thresholds is not None:
        calibration = thresholds.calibration
        yield Log(
            f"calibration: temperature {calibration.temperature:.2f}; scores under "
            f"{calibration.unsure_below:.2f} are unsure ({calibration.kept:.0%} of validation "
            f"examples are at or above it, right {calibration.precision:.0%} of the time)"
        )
    mistakes = misclassified(report.val, predicted, scores)
    if not distributed.current().main:
        return evaluation, mistakes, thresholds
    return evaluation, with_thumbnails(mistakes), thresholds  # a text mistake has its text


class _Classifier:
    """The classifiers' steps (see `core/train/job.py`): read the examples once, train the
    head or the whole network, and score the held-out predictions that training made."""

    base_end = 0.0
    train_end = 0.97
    saving = ""

    def __init__(self) -> None:
        self.data = _Data([], [], [], [])
        self.evaluation: Evaluation | None = None
        self.mistakes: list[Misclassified] = []
        self.thresholds: Thresholds | None = None

    def scan(self, spec: TrainSpec) -> DatasetReport:
        return scan(
            spec.data, spec.task, spec.val_split, spec.seed, spec.text_column, spec.label_column
        )

    def measure_base(
        self, plan: RunPlan, report: DatasetReport, cancel: CancelToken
    ) -> Generator[Event, None, None]:
        yield from ()  # a new head knows nothing before training: there is no base to score

    def train(
        self,
        finetuner: Finetuner,
        plan: RunPlan,
        report: DatasetReport,
        cancel: CancelToken,
        pause: PauseGate,
    ) -> Generator[Event, None, FitResult]:
        tuner = cast(ClassifierFinetuner, finetuner)  # a classifier task's row names one
        self.data = yield from phase(_read(tuner, report, cancel), 0.0, READ_END)
        weights = class_weights(report)
        if weights:
            yield Log("classes are imbalanced: the loss weighs each class by its rarity")
        job = _train(tuner, plan, self.data, weights, cancel, pause)
        return (yield from phase(job, READ_END, 1.0))

    def measure(
        self, plan: RunPlan, report: DatasetReport, fitted: FitResult
    ) -> Generator[Event, None, None]:
        found = yield from _evaluate(report, self.data, fitted)
        self.evaluation, self.mistakes, self.thresholds = found

    def measure_saved(
        self, folder: Path, plan: RunPlan, report: DatasetReport, cancel: CancelToken
    ) -> Generator[Event, None, None]:
        yield from ()  # the held-out predictions came from these very weights

    def card(self, report: DatasetReport) -> tuple[dict[str, Any], dict[str, Any]]:
        found = self.thresholds
        extra = {"calibration": found.calibration.to_json()} if found is not None else {}
        return (self.evaluation.to_json() if self.evaluation else {}), extra

    def result(
        self, plan: RunPlan, report: DatasetReport, fitted: FitResult, seconds: float
    ) -> TrainResult:
        return TrainResult(
            plan.target,
            plan.spec,
            self.evaluation,
            self.mistakes,
            fitted.history,
            seconds,
            report,
            self.thresholds,
        )


def fine_tune(
    spec: TrainSpec,
    *,
    report: DatasetReport | None = None,
    cancel: CancelToken | None = None,
    pause: PauseGate | None = None,
    resume: bool = False,
) -> Generator[Event, None, TrainResult]:
    """Train a classifier from a dataset folder and save it into the library (or a folder)."""
    recipe = _Classifier()
    return run(recipe, spec, report=report, cancel=cancel, pause=pause, resume=resume)
