"""The fine-tune job: scan → choose a mode → train (head and/or full) → evaluate → save.

`head` trains the classifier on cached frozen-backbone features (seconds on a CPU). `full`
first does the same as a warm start, then fine-tunes the whole network with a low learning
rate: a warm head keeps the random initial classifier from wrecking the pretrained features.
"""

from __future__ import annotations

import importlib
import json
import shutil
import time
from collections.abc import Generator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import torch
from torch.utils.data import TensorDataset

from fmstudio.core import catalog
from fmstudio.core.data.folders import DatasetReport, Sample, scan
from fmstudio.core.devices import resolve_device
from fmstudio.core.errors import FmError
from fmstudio.core.events import CancelToken, Event, Log, PauseGate
from fmstudio.core.library import (
    check_replaceable,
    model_card,
    output_folder,
    run_folder,
    save_folder,
    write_card,
)
from fmstudio.core.train.loop import FitResult, LoopConfig, fit, load_checkpoint
from fmstudio.core.train.metrics import Evaluation, Misclassified, evaluate
from fmstudio.core.train.spec import EpochMetrics, TrainSpec, choose_mode

WARM_HEAD_EPOCHS = 30
WARM_HEAD_LR = 3e-3
AUGMENTED_VIEWS = 2
"""Head mode on images also trains on this many randomly augmented views of each image."""
BALANCE_RATIO = 1.5
"""Above this ratio between the largest and the smallest class, the loss is class-weighted."""


@dataclass
class TrainResult:
    folder: Path
    spec: TrainSpec
    evaluation: Evaluation | None
    misclassified: list[Misclassified] = field(default_factory=list)
    history: list[EpochMetrics] = field(default_factory=list)
    seconds: float = 0.0


def finetuner(task: str, base: str, classes: list[str], device: str) -> Any:
    module = importlib.import_module(f"fmstudio.core.{task}.finetune")
    cls = module.ImageFinetuner if task == "image" else module.TextFinetuner
    return cls(base, classes, device)


def class_weights(report: DatasetReport) -> list[float] | None:
    """Inverse-frequency weights (mean 1) when the training classes are imbalanced."""
    counts = [sum(1 for s in report.train if s.label == c) for c in report.classes]
    if min(counts) == 0 or max(counts) / min(counts) <= BALANCE_RATIO:
        return None
    total = sum(counts)
    return [total / (len(counts) * c) for c in counts]


def _targets(samples: list[Sample], classes: list[str]) -> list[int]:
    index = {c: i for i, c in enumerate(classes)}
    return [index[s.label] for s in samples]


def _head_phase(
    tuner: Any,
    spec: TrainSpec,
    train_inputs: list[Any],
    val_inputs: list[Any],
    y_train: list[int],
    y_val: list[int],
    cancel: CancelToken,
    config: LoopConfig,
    pause: PauseGate,
    checkpoint: Path | None,
    resume: dict[str, Any] | None,
) -> Generator[Event, None, FitResult]:
    """Cache the frozen backbone's features, then train only the classifier on them."""
    train_feats = yield from tuner.features(
        tuner.dataset(train_inputs, y_train, train=False), cancel, "training"
    )
    targets = torch.tensor(y_train)
    if spec.mode == "head" and spec.augment and tuner.task == "image":
        views = [train_feats]
        for view in range(AUGMENTED_VIEWS):
            torch.manual_seed(spec.seed * 100 + view)
            views.append(
                (
                    yield from tuner.features(
                        tuner.dataset(train_inputs, y_train, train=True),
                        cancel,
                        f"augmented view {view + 1} of the training",
                    )
                )
            )
        train_feats = torch.cat(views)
        targets = targets.repeat(len(views))
    val_set = None
    if y_val:
        val_feats = yield from tuner.features(
            tuner.dataset(val_inputs, y_val, train=False), cancel, "validation"
        )
        val_set = TensorDataset(val_feats, torch.tensor(y_val))
    result = yield from fit(
        tuner.head,
        TensorDataset(train_feats, targets),
        val_set,
        config,
        cancel=cancel,
        pause=pause,
        checkpoint=checkpoint,
        resume=resume,
    )
    return result


def fine_tune(
    spec: TrainSpec,
    report: DatasetReport | None = None,
    cancel: CancelToken | None = None,
    pause: PauseGate | None = None,
    resume: bool = False,
) -> Generator[Event, None, TrainResult]:
    """Train a classifier from a dataset folder and save it into the library (or a folder)."""
    cancel = cancel or CancelToken()
    pause = pause or PauseGate()
    started = time.monotonic()
    if report is None:
        yield Log(f"Scanning {spec.data}…")
        report = scan(
            spec.data, spec.task, spec.val_split, spec.seed, spec.text_column, spec.label_column
        )
    if not report.ok:
        raise FmError("the dataset cannot be used:\n" + "\n".join(report.errors))
    for warning in report.warnings:
        yield Log(warning, "warning")
    device = resolve_device(spec.device)
    mode, why = choose_mode(spec, len(report.train), device)
    yield Log(why)
    spec = replace(spec.resolved(mode), base=spec.base or catalog.default_model(spec.task))
    assert spec.base is not None and spec.epochs is not None and spec.lr is not None
    target = output_folder(spec.output)
    check_replaceable(target)
    run_dir = run_folder(target)
    checkpoint = run_dir / "checkpoint.pt"
    state = None
    if resume:
        state = load_checkpoint(checkpoint)
        saved = json.loads((run_dir / "run.json").read_text()) if state else {}
        if state is None:
            yield Log("no checkpoint to resume from; starting from the beginning", "warning")
        elif saved.get("classes") != report.classes or saved.get("mode") != mode:
            raise FmError(
                f"the checkpoint in {run_dir} was made with other classes or another mode; "
                "start again without --resume"
            )
    run_dir.mkdir(parents=True, exist_ok=True)
    (run_dir / "run.json").write_text(
        json.dumps({"classes": report.classes, "mode": mode, "spec": spec.to_json()})
    )

    yield Log(f"Loading {spec.base} on {device}…")
    torch.manual_seed(spec.seed)
    tuner = finetuner(spec.task, spec.base, report.classes, device)
    yield from tuner.load()
    train_inputs = yield from tuner.prepare(report.train, cancel, "training")
    val_inputs = yield from tuner.prepare(report.val, cancel, "validation")
    y_train = _targets(report.train, report.classes)
    y_val = _targets(report.val, report.classes)
    weights = class_weights(report)
    if weights:
        yield Log("classes are imbalanced: the loss weighs each class by its rarity")
    base_config = LoopConfig(
        phase="head",
        epochs=spec.epochs,
        batch_size=spec.batch_size,
        lr=spec.lr,
        device=device,
        seed=spec.seed,
        weight_decay=spec.weight_decay,
        warmup=spec.warmup,
        patience=spec.early_stopping,
        class_weights=weights,
    )
    if mode == "head":
        fitted = yield from _head_phase(
            tuner,
            spec,
            train_inputs,
            val_inputs,
            y_train,
            y_val,
            cancel,
            base_config,
            pause,
            checkpoint,
            state,
        )
    else:
        if state is None:
            warm = replace(
                base_config, phase="warm-up", epochs=WARM_HEAD_EPOCHS, lr=WARM_HEAD_LR, patience=0
            )
            yield Log("Warming up the new classifier on frozen features…")
            yield from _head_phase(
                tuner,
                spec,
                train_inputs,
                val_inputs,
                y_train,
                y_val,
                cancel,
                warm,
                pause,
                None,
                None,
            )
        fitted = yield from fit(
            tuner.model,
            tuner.dataset(train_inputs, y_train, train=spec.augment),
            tuner.dataset(val_inputs, y_val, train=False) if report.val else None,
            replace(
                base_config,
                phase="full",
                label_smoothing=0.1,
                keep_start=True,
                freeze_norm_stats=True,
            ),
            collate=tuner.collate,
            cancel=cancel,
            pause=pause,
            checkpoint=checkpoint,
            resume=state,
        )

    evaluation = None
    misclassified: list[Misclassified] = []
    if report.val:
        evaluation = evaluate(report.classes, y_val, fitted.val_predictions)
        misclassified = [
            Misclassified(s.path, s.label, report.classes[p], score, s.text)
            for s, t, p, score in zip(
                report.val, y_val, fitted.val_predictions, fitted.val_scores, strict=True
            )
            if t != p
        ]
        yield Log(
            f"validation accuracy {evaluation.accuracy:.1%}, macro-F1 {evaluation.macro_f1:.3f} "
            f"(best epoch {fitted.best_epoch})"
        )
    cancel.raise_if_cancelled()
    card = model_card(
        task=spec.task,
        name=target.name,
        base_model=spec.base,
        classes=report.classes,
        report=report,
        metrics=evaluation.to_json() if evaluation else {},
        hyperparameters=spec.to_json(),
        history=[h.to_json() for h in fitted.history],
        extra={"mode": mode, "device": device, "best_epoch": fitted.best_epoch},
    )

    def write(folder: Path) -> None:
        tuner.save(folder)
        write_card(folder, card)

    yield Log(f"Saving to {target}…")
    save_folder(target, write)
    shutil.rmtree(run_dir, ignore_errors=True)
    catalog.forget(target.name)
    seconds = time.monotonic() - started
    yield Log(f"Saved {target.name} in {seconds:.0f} s")
    return TrainResult(target, spec, evaluation, misclassified, fitted.history, seconds)
