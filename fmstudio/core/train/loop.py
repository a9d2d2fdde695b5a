"""The one training loop every task uses: a model that maps a batch to logits, and datasets.

Plain PyTorch rather than HF Accelerate: Accelerate keeps process-wide state that cannot be
re-initialised with other settings, and the studio runs many jobs in one process (the GUI, the
tests). The loop does what Accelerate would do for one device: placement, AMP on CUDA (bf16
where supported, else fp16 with a gradient scaler), and nothing else that hides the steps.

Between steps it honours pause and cancel; at each epoch's end it evaluates, keeps the best
weights, writes a checkpoint (atomically) and stops early when validation stops improving.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Generator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch
from torch import nn
from torch.utils.data import DataLoader, Dataset

from fmstudio.core.atomic import atomic_target
from fmstudio.core.events import CancelToken, Event, Log, PauseGate, Progress
from fmstudio.core.train.spec import EpochMetrics, StepMetrics

STEP_EVENT_INTERVAL_S = 0.05
"""Fast steps (a head on cached features) are merged so that at most ~20 step events a
second reach the GUI; their loss is the mean over the merged steps."""


@dataclass(frozen=True)
class LoopConfig:
    phase: str
    epochs: int
    batch_size: int
    lr: float
    device: str
    seed: int = 0
    weight_decay: float = 0.01
    warmup: float = 0.1
    patience: int = 3
    class_weights: list[float] | None = None
    label_smoothing: float = 0.0
    freeze_norm_stats: bool = False
    """Keep BatchNorm running statistics as pretrained: small, augmented batches would
    otherwise replace them with noisy estimates and shift every feature the head relies on."""
    keep_start: bool = False
    """Count the starting weights as epoch 0: if no epoch beats them on validation loss,
    the run returns them (a fine-tune that only hurts gives back its warm start)."""


@dataclass
class FitResult:
    history: list[EpochMetrics] = field(default_factory=list)
    best_epoch: int = 0
    stopped_early: bool = False
    val_predictions: list[int] = field(default_factory=list)
    val_scores: list[float] = field(default_factory=list)


def to_device(batch: Any, device: str) -> Any:
    if isinstance(batch, torch.Tensor):
        return batch.to(device, non_blocking=True)
    if isinstance(batch, Mapping):
        return {k: to_device(v, device) for k, v in batch.items()}
    return batch


def logits_of(output: Any) -> torch.Tensor:
    return output.logits if hasattr(output, "logits") else output


def autocast_dtype(device: str) -> torch.dtype | None:
    """AMP on CUDA only: bf16 where the GPU has it (no scaler needed), else fp16."""
    if not device.startswith("cuda"):
        return None
    return torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16


def warmup_cosine(total_steps: int, warmup: float) -> Callable[[int], float]:
    """Linear warm-up over the first `warmup` fraction of steps, then cosine decay to zero."""
    warm = max(1, round(total_steps * warmup)) if warmup > 0 else 0

    def factor(step: int) -> float:
        if step < warm:
            return (step + 1) / warm
        progress = (step - warm) / max(1, total_steps - warm)
        return 0.5 * (1 + math.cos(math.pi * min(progress, 1.0)))

    return factor


def length_grouped_batches(
    lengths: list[int], batch_size: int, generator: torch.Generator, group: int = 32
) -> list[list[int]]:
    """Shuffled batches of similar-length examples (less padding for text), in random order.

    Indices are shuffled, cut into groups of `group` batches, sorted by length inside each
    group and batched; then the batches are shuffled.
    """
    order = torch.randperm(len(lengths), generator=generator).tolist()
    span = batch_size * group
    batches: list[list[int]] = []
    for start in range(0, len(order), span):
        chunk = sorted(order[start : start + span], key=lambda i: lengths[i])
        batches += [chunk[i : i + batch_size] for i in range(0, len(chunk), batch_size)]
    shuffled = torch.randperm(len(batches), generator=generator).tolist()
    return [batches[i] for i in shuffled]


def make_optimizer(model: nn.Module, lr: float, weight_decay: float) -> torch.optim.Optimizer:
    """AdamW; biases and norm weights (1-D) get no weight decay."""
    decay, no_decay = [], []
    for p in model.parameters():
        if p.requires_grad:
            (decay if p.ndim >= 2 else no_decay).append(p)
    groups = [
        {"params": decay, "weight_decay": weight_decay},
        {"params": no_decay, "weight_decay": 0.0},
    ]
    return torch.optim.AdamW([g for g in groups if g["params"]], lr=lr)


@torch.no_grad()
def evaluate_batches(
    model: nn.Module,
    loader: DataLoader,
    device: str,
    cancel: CancelToken | None = None,
    label_smoothing: float = 0.0,
) -> tuple[float, float, list[int], list[float]]:
    """Mean loss, accuracy, predicted class and its probability for every example, in order.

    The loss uses the training's label smoothing, so that epochs (and the warm start) are
    compared on the objective the run optimises.
    """
    model.eval()
    dtype = autocast_dtype(device)
    total_loss, n, correct = 0.0, 0, 0
    predictions: list[int] = []
    scores: list[float] = []
    for inputs, targets in loader:
        if cancel is not None:
            cancel.raise_if_cancelled()
        inputs, targets = to_device(inputs, device), targets.to(device)
        with torch.autocast("cuda", dtype=dtype, enabled=dtype is not None):
            logits = _forward(model, inputs).float()
        total_loss += nn.functional.cross_entropy(
            logits, targets, reduction="sum", label_smoothing=label_smoothing
        ).item()
        probs = logits.softmax(-1)
        top, pred = probs.max(-1)
        correct += int((pred == targets).sum())
        n += len(targets)
        predictions += pred.tolist()
        scores += top.tolist()
    return (total_loss / n if n else 0.0), (correct / n if n else 0.0), predictions, scores


def _forward(model: nn.Module, inputs: Any) -> torch.Tensor:
    out = model(**inputs) if isinstance(inputs, Mapping) else model(inputs)
    return logits_of(out)


def _state_copy(model: nn.Module) -> dict[str, torch.Tensor]:
    return {k: v.detach().to("cpu", copy=True) for k, v in model.state_dict().items()}


def fit(
    model: nn.Module,
    train_set: Dataset,
    val_set: Dataset | None,
    config: LoopConfig,
    collate: Callable[[list[Any]], Any] | None = None,
    cancel: CancelToken | None = None,
    pause: PauseGate | None = None,
    checkpoint: Path | None = None,
    resume: dict[str, Any] | None = None,
) -> Generator[Event, None, FitResult]:
    """Train `model` in place; on return it holds the best epoch's weights."""
    cancel = cancel or CancelToken()
    pause = pause or PauseGate()
    device = config.device
    model.to(device)
    dtype = autocast_dtype(device)
    scaler = torch.amp.GradScaler("cuda", enabled=dtype == torch.float16)
    steps_per_epoch = math.ceil(len(train_set) / config.batch_size)  # type: ignore[arg-type]
    total_steps = steps_per_epoch * config.epochs
    optimizer = make_optimizer(model, config.lr, config.weight_decay)
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimizer, warmup_cosine(total_steps, config.warmup)
    )
    weights = torch.tensor(config.class_weights, device=device) if config.class_weights else None
    val_loader = (
        DataLoader(val_set, batch_size=config.batch_size * 2, collate_fn=collate)
        if val_set is not None and len(val_set) > 0  # type: ignore[arg-type]
        else None
    )

    result = FitResult()
    best_key: float | None = None
    best_state: dict[str, torch.Tensor] | None = None
    bad_epochs = 0
    start_epoch = 0
    if resume is not None:
        model.load_state_dict(resume["model"])
        optimizer.load_state_dict(resume["optimizer"])
        scheduler.load_state_dict(resume["scheduler"])
        scaler.load_state_dict(resume["scaler"])
        result.history = [EpochMetrics(**h) for h in resume["history"]]
        result.best_epoch = resume["best_epoch"]
        best_state = resume["best_state"]
        best_key = resume["best_key"]
        bad_epochs = resume["bad_epochs"]
        start_epoch = resume["epoch"]
        yield Log(f"{config.phase}: resumed after epoch {start_epoch} of {config.epochs}")

    if resume is None and config.keep_start and val_loader is not None:
        start_loss, start_acc, _, _ = evaluate_batches(
            model, val_loader, device, cancel, config.label_smoothing
        )
        best_key, best_state = -start_loss, _state_copy(model)
        yield Log(
            f"{config.phase}: before training, val loss {start_loss:.4f}, "
            f"val accuracy {start_acc:.1%}"
        )

    run_start = time.monotonic()
    paused_s = 0.0
    steps_done_here = 0
    for epoch in range(start_epoch, config.epochs):
        # Never before half the epochs: fine-tuning often gets worse before it gets better.
        if (
            bad_epochs >= config.patience > 0
            and val_loader is not None
            and epoch >= config.epochs // 2
        ):
            result.stopped_early = True
            break
        # Seeding per epoch makes a resumed run draw the same shuffles and augmentations.
        torch.manual_seed(config.seed * 1_000 + epoch)
        generator = torch.Generator().manual_seed(config.seed * 1_000 + epoch)
        lengths = getattr(train_set, "lengths", None)
        if lengths is not None:
            batches = length_grouped_batches(lengths, config.batch_size, generator)
            loader = DataLoader(train_set, batch_sampler=batches, collate_fn=collate)
        else:
            loader = DataLoader(
                train_set,
                batch_size=config.batch_size,
                shuffle=True,
                collate_fn=collate,
                generator=generator,
            )
        model.train()
        if config.freeze_norm_stats:
            for module in model.modules():
                if isinstance(module, nn.modules.batchnorm._BatchNorm):
                    module.eval()
        epoch_start = time.monotonic()
        epoch_paused = 0.0
        loss_sum, seen, correct = 0.0, 0, 0
        pending: list[float] = []
        last_emit = time.monotonic()
        for step_in_epoch, (inputs, targets) in enumerate(loader, 1):
            waited = pause.wait(cancel)
            epoch_paused += waited
            paused_s += waited
            cancel.raise_if_cancelled()
            inputs, targets = to_device(inputs, device), targets.to(device)
            with torch.autocast("cuda", dtype=dtype, enabled=dtype is not None):
                logits = _forward(model, inputs).float()
            loss = nn.functional.cross_entropy(
                logits, targets, weight=weights, label_smoothing=config.label_smoothing
            )
            optimizer.zero_grad(set_to_none=True)
            scaler.scale(loss).backward()
            scaler.unscale_(optimizer)
            nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            scaler.step(optimizer)
            scaler.update()
            step_lr = optimizer.param_groups[0]["lr"]
            scheduler.step()

            value = loss.item()
            batch_n = len(targets)
            loss_sum += value * batch_n
            seen += batch_n
            correct += int((logits.argmax(-1) == targets).sum())
            pending.append(value)
            steps_done_here += 1
            now = time.monotonic()
            if now - last_emit >= STEP_EVENT_INTERVAL_S or step_in_epoch == steps_per_epoch:
                active = now - run_start - paused_s
                remaining = total_steps - (epoch * steps_per_epoch + step_in_epoch)
                eta = active / steps_done_here * remaining
                step = epoch * steps_per_epoch + step_in_epoch
                yield StepMetrics(
                    config.phase,
                    epoch + 1,
                    step,
                    total_steps,
                    sum(pending) / len(pending),
                    step_lr,
                    seen / max(now - epoch_start - epoch_paused, 1e-9),
                    eta,
                )
                yield Progress(
                    step / total_steps,
                    f"{config.phase}: epoch {epoch + 1}/{config.epochs}",
                    step,
                    total_steps,
                    eta,
                )
                pending.clear()
                last_emit = now

        val_loss = val_acc = None
        if val_loader is not None:
            val_loss, val_acc, _, _ = evaluate_batches(
                model, val_loader, device, cancel, config.label_smoothing
            )
        # Validation loss decides (accuracy on a small validation set moves in coarse steps).
        key = -val_loss if val_loss is not None else float(epoch)
        improved = best_key is None or key > best_key + 1e-4
        if improved:
            best_key, best_state, result.best_epoch, bad_epochs = (
                key,
                _state_copy(model),
                epoch + 1,
                0,
            )
        else:
            bad_epochs += 1
        metrics = EpochMetrics(
            config.phase,
            epoch + 1,
            config.epochs,
            loss_sum / max(seen, 1),
            correct / max(seen, 1),
            val_loss,
            val_acc,
            improved,
            time.monotonic() - epoch_start - epoch_paused,
        )
        result.history.append(metrics)
        if checkpoint is not None:
            save_checkpoint(
                checkpoint,
                {
                    "phase": config.phase,
                    "epoch": epoch + 1,
                    "model": model.state_dict(),
                    "optimizer": optimizer.state_dict(),
                    "scheduler": scheduler.state_dict(),
                    "scaler": scaler.state_dict(),
                    "history": [h.to_json() for h in result.history],
                    "best_epoch": result.best_epoch,
                    "best_state": best_state,
                    "best_key": best_key,
                    "bad_epochs": bad_epochs,
                },
            )
        yield metrics
    if best_state is not None and result.best_epoch == 0:
        yield Log(f"{config.phase}: no epoch beat the starting weights on validation; keeping them")
    if result.stopped_early:
        yield Log(
            f"{config.phase}: stopped early, validation did not improve for "
            f"{config.patience} epochs; keeping epoch {result.best_epoch}"
        )
    if best_state is not None:
        model.load_state_dict(best_state)
    if val_loader is not None:
        _, _, result.val_predictions, result.val_scores = evaluate_batches(
            model, val_loader, device, cancel
        )
    return result


def save_checkpoint(path: Path, state: dict[str, Any]) -> None:
    """Write the checkpoint beside itself, then rename: a kill never leaves half of one."""
    with atomic_target(path) as tmp:
        torch.save(state, tmp)


def load_checkpoint(path: Path) -> dict[str, Any] | None:
    """The checkpoint at `path`, or None; tensors and plain values only (no pickled code)."""
    if not path.is_file():
        return None
    return torch.load(path, map_location="cpu", weights_only=True)  # type: ignore[no-any-return]
