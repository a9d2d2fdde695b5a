"""The one training loop every task uses: a model, datasets, and an objective to minimise.

Plain PyTorch rather than HF Accelerate: Accelerate keeps process-wide state that cannot be
re-initialised with other settings, and the studio runs many jobs in one process (the GUI, the
tests). The loop does what Accelerate would do for one device: placement, AMP on CUDA (bf16
where supported, else fp16 with a gradient scaler), and nothing else that hides the steps.

Between steps it honours pause and cancel; at each epoch's end it validates, keeps the best
weights, writes a checkpoint (atomically) and stops early when validation stops improving.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Generator, Iterator, Mapping, Sized
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, cast

import torch
from torch import nn
from torch.utils.data import DataLoader, Dataset, Subset

from fmstudio.core.events import (
    CancelToken,
    EtaTracker,
    Event,
    Log,
    PauseGate,
    Progress,
    in_background,
    wait_for,
)
from fmstudio.core.train import distributed
from fmstudio.core.train.checkpoints import Checkpoint, StateDict
from fmstudio.core.train.events import NAMES, EpochMetrics, StepMetrics, figure
from fmstudio.core.train.loaders import batch_loader
from fmstudio.core.train.objectives import LOSS, Classification, Decider, Objective, Validation
from fmstudio.core.train.readout import EpochSums, StepFigures
from fmstudio.core.train.schedule import length_grouped_batches, make_optimizer, warmup_cosine
from fmstudio.core.train.spec import TrainSpec
from fmstudio.core.wording import plural

STEP_EVENT_INTERVAL_S = 0.05
"""Fast steps (a head on cached features) are merged so that at most ~20 step events a
second reach the GUI; their loss is the mean over the merged steps."""
VALIDATION_POLL_S = 0.2
"""How often a running validation says how many batches it has scored."""
STOP_VOTE_STEPS = 8
"""Under torchrun the processes vote on stopping once every this many steps: a vote is a
collective that waits for every step queued on the GPU, so a vote a step kept the GPU idle
while the host queued the next one."""

Collate = Callable[[list[Any]], Any]


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
    workers: int = 0
    """Processes that make the batches ahead of the model (`loaders.loader_workers`)."""
    keep_start: bool = False
    """Count the starting weights as epoch 0: if no epoch beats them on validation loss,
    the run returns them (a fine-tune that only hurts gives back its warm start)."""

    @classmethod
    def from_spec(cls, spec: TrainSpec, device: str, phase: str, **more: Any) -> LoopConfig:
        """The loop's settings as a resolved spec gives them (`more` adds a phase's own)."""
        assert spec.epochs is not None and spec.lr is not None and spec.early_stopping is not None
        return cls(
            phase=phase,
            epochs=spec.epochs,
            batch_size=spec.batch_size,
            lr=spec.lr,
            device=device,
            seed=spec.seed,
            weight_decay=spec.weight_decay,
            warmup=spec.warmup,
            patience=spec.early_stopping,
            **more,
        )


@dataclass
class FitResult:
    history: list[EpochMetrics] = field(default_factory=list)
    best_epoch: int = 0
    stopped_early: bool = False
    finished_on_request: bool = False
    """The user asked to finish with the best epoch so far (`PauseGate.finish`)."""
    val_predictions: list[int] = field(default_factory=list)
    val_scores: list[float] = field(default_factory=list)
    before: Validation | None = None
    """The starting weights' validation, where `keep_start` scored them."""
    final: Validation | None = None
    """The kept weights' validation."""


def to_device(batch: Any, device: str) -> Any:
    if isinstance(batch, torch.Tensor):
        return batch.to(device, non_blocking=True)
    if isinstance(batch, Mapping):
        return {k: to_device(v, device) for k, v in batch.items()}
    return batch


def autocast_dtype(device: str) -> torch.dtype | None:
    """AMP on CUDA only: bf16 where the GPU has it (no scaler needed), else fp16."""
    if not device.startswith("cuda"):
        return None
    return torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16


def _state_copy(model: nn.Module) -> StateDict:
    return {k: v.detach().to("cpu", copy=True) for k, v in model.state_dict().items()}


def _size(dataset: Dataset) -> int:
    return len(cast(Sized, dataset))


class _Fit:
    """One run of the loop: the optimiser, its schedule and the best-so-far bookkeeping."""

    def __init__(
        self,
        model: nn.Module,
        train_set: Dataset,
        val_set: Dataset | None,
        config: LoopConfig,
        objective: Objective,
        collate: Collate | None,
        cancel: CancelToken,
        pause: PauseGate,
    ) -> None:
        self.model, self.train_set, self.config = model, train_set, config
        self.objective, self.collate, self.cancel, self.pause = objective, collate, cancel, pause
        self.device = config.device
        model.to(self.device)
        self.stepped = distributed.wrap(model, self.device)
        self.dtype = autocast_dtype(self.device)
        self.scaler = torch.amp.GradScaler("cuda", enabled=self.dtype == torch.float16)
        world = distributed.current().world
        # The batch is the whole job's: each of N processes takes a 1/N share, so N processes
        # take the steps one would, and train to the same accuracy.
        self.batch_size = max(1, math.ceil(config.batch_size / world))
        shard_size = math.ceil(_size(train_set) / world)
        self.steps_per_epoch = math.ceil(shard_size / self.batch_size)
        self.total_steps = self.steps_per_epoch * config.epochs
        self.optimizer = make_optimizer(model, config.lr, config.weight_decay)
        self.scheduler = torch.optim.lr_scheduler.LambdaLR(
            self.optimizer, warmup_cosine(self.total_steps, config.warmup)
        )
        has_val = val_set is not None and _size(val_set) > 0
        self.val_set = val_set if has_val else None
        self.result = FitResult()
        self.best_key: float | None = None
        self.decides: Decider = LOSS
        """The figure that picks the best epoch, as the objective's validation says."""
        self.best_state: StateDict | None = None
        self.start_state: StateDict | None = None
        """The starting weights until an epoch ends (see `keep_start_weights`)."""
        self.bad_epochs = 0
        self.start_epoch = 0
        self.run_start = time.monotonic()
        self.paused_s = 0.0
        self.steps_done = 0
        self.last_step = 0
        """The run's step reached so far (across epochs, resumed ones included)."""

    def restore(self, checkpoint: Checkpoint) -> Log:
        self.model.load_state_dict(checkpoint.model)
        self.optimizer.load_state_dict(checkpoint.optimizer)
        self.scheduler.load_state_dict(checkpoint.scheduler)
        self.scaler.load_state_dict(checkpoint.scaler)
        self.result.history = list(checkpoint.history)
        self.result.best_epoch = checkpoint.best_epoch
        self.best_state, self.best_key = checkpoint.best_state, checkpoint.best_key
        self.bad_epochs, self.start_epoch = checkpoint.bad_epochs, checkpoint.epoch
        self.last_step = checkpoint.epoch * self.steps_per_epoch
        return Log(
            f"{self.config.phase}: resumed after epoch {self.start_epoch} of {self.config.epochs}"
        )

    def keep_start(self) -> Generator[Event, None, Log | None]:
        """Score the starting weights as epoch 0 (see `LoopConfig.keep_start`)."""
        start = yield from self.validate("before training")
        if start is None:
            return None
        self.best_key, self.best_state = start.key, _state_copy(self.model)
        self.result.before, self.decides = start, start.decides
        # Beside the loss: the figure that decides, or accuracy where the loss does.
        name = "accuracy" if start.decides is LOSS else start.decides.name
        said = f"val {NAMES.get(name, name)} {figure(name, start.figures()[name])}"
        return Log(f"{self.config.phase}: before training, val loss {start.loss:.4f}, {said}")

    def keep_start_weights(self) -> None:
        """Copy the starting weights when nothing else keeps them (no epoch 0 was scored): a
        run finished before its first epoch ends keeps them, not a part-trained epoch."""
        if self.best_state is None and not self.result.history:
            self.start_state = _state_copy(self.model)

    def should_stop(self, epoch: int) -> bool:
        # Never before half the epochs: fine-tuning often gets worse before it gets better.
        patience = self.config.patience
        return (
            self.bad_epochs >= patience > 0
            and self.val_set is not None
            and epoch >= self.config.epochs // 2
        )

    def _loader(self, epoch: int) -> DataLoader:
        """This process's shuffled batches (all of them when it is the only one)."""
        # Seeding per epoch makes a resumed run draw the same shuffles and augmentations; the
        # shuffle is the same in every process, the augmentations differ by rank.
        seed = self.config.seed * 1_000 + epoch
        torch.manual_seed(seed + 7_919 * distributed.current().rank)
        generator = torch.Generator().manual_seed(seed)
        size = self.batch_size
        lengths = getattr(self.train_set, "lengths", None)
        if lengths is not None:
            batches = distributed.shard(length_grouped_batches(lengths, size, generator), pad=True)
        else:
            shuffled = torch.randperm(_size(self.train_set), generator=generator).tolist()
            order = distributed.shard(shuffled, pad=True)
            batches = [order[i : i + size] for i in range(0, len(order), size)]
        return batch_loader(
            self.train_set,
            self.device,
            self.config.workers,
            batch_sampler=batches,
            collate=self.collate,
        )

    def _train_mode(self) -> None:
        self.model.train()
        if self.config.freeze_norm_stats:
            for module in self.model.modules():
                if isinstance(module, nn.modules.batchnorm._BatchNorm):
                    module.eval()

    def _step(self, inputs: Any, targets: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """One optimiser step: its loss and right examples, left on the device (reading them
        would make the host wait for the step)."""
        inputs, targets = to_device(inputs, self.device), targets.to(self.device, non_blocking=True)
        with torch.autocast("cuda", dtype=self.dtype, enabled=self.dtype is not None):
            loss, correct = self.objective.loss(self.stepped, inputs, targets)
        self.optimizer.zero_grad(set_to_none=True)
        self.scaler.scale(loss).backward()
        self.scaler.unscale_(self.optimizer)
        nn.utils.clip_grad_norm_(self.model.parameters(), 1.0)
        self.scaler.step(self.optimizer)
        self.scaler.update()
        self.scheduler.step()
        return loss.detach(), correct

    def _stop_point(self, step_in_epoch: int) -> float:
        """Wait out a pause and stop on Stop or Finish, between steps; returns the seconds
        paused. Under torchrun the processes vote on stopping every STOP_VOTE_STEPS steps,
        at the same steps everywhere."""
        waited = self.pause.wait(self.cancel)
        self.paused_s += waited
        if not distributed.shared() or step_in_epoch % STOP_VOTE_STEPS == 1:
            distributed.stop_together(self.cancel)
        if self.pause.finishing:
            raise FinishNow
        return waited

    def train_epoch(self, epoch: int) -> Generator[Event, None, tuple[float, float, float]]:
        """Train one epoch; returns its mean loss, accuracy and active seconds."""
        self._train_mode()
        epoch_start = last_emit = time.monotonic()
        epoch_paused = 0.0
        sums, figures = EpochSums(self.device), StepFigures(self.device)
        for step_in_epoch, (inputs, targets) in enumerate(self._loader(epoch), 1):
            epoch_paused += self._stop_point(step_in_epoch)
            lr = float(self.optimizer.param_groups[0]["lr"])
            loss, right = self._step(inputs, targets)
            sums.add(loss, right, len(targets))
            figures.add(loss)
            self.steps_done += 1
            now = time.monotonic()
            if now - last_emit >= STEP_EVENT_INTERVAL_S or step_in_epoch == self.steps_per_epoch:
                rate = sums.examples / max(now - epoch_start - epoch_paused, 1e-9)
                yield from self._step_events(epoch, step_in_epoch, figures.read(), lr, rate)
                last_emit = now
        loss_sum, correct, seen = sums.totals()
        active = time.monotonic() - epoch_start - epoch_paused
        loss_total, count, right_total = distributed.sums(loss_sum, seen, correct)
        return loss_total / max(count, 1), right_total / max(count, 1), active

    def _step_events(
        self, epoch: int, step_in_epoch: int, loss: float, lr: float, rate: float
    ) -> Iterator[Event]:
        step = self.last_step = epoch * self.steps_per_epoch + step_in_epoch
        active = time.monotonic() - self.run_start - self.paused_s
        eta = active / self.steps_done * (self.total_steps - step)
        config = self.config
        yield StepMetrics(config.phase, epoch + 1, step, self.total_steps, loss, lr, rate, eta)
        yield Progress(
            step / self.total_steps,
            f"{config.phase}: epoch {epoch + 1}/{config.epochs}",
            step,
            self.total_steps,
            eta,
        )

    def validate(self, when: str) -> Generator[Event, None, Validation | None]:
        """Every process scores its share of the validation set; all of them get the merged
        result, so they agree on the best epoch and on stopping early.

        Validation can take minutes (speech decodes every clip), so it runs on a thread of its
        own while this generator says how far it is (`when`: "before training", "after epoch
        2"); a Stop ends the wait at once and the scoring at its next batch.
        """
        if self.val_set is None:
            return None
        self.model.eval()
        mine = distributed.shard(range(_size(self.val_set)), pad=False)
        loader = batch_loader(
            Subset(self.val_set, mine),
            self.device,
            self.config.workers,
            batch_size=self.batch_size * 2,
            collate=self.collate,
        )
        scored = yield from self._scored(loader, when)
        shares = distributed.gather((mine, scored))
        distributed.stop_together(self.cancel)
        return Validation.merge(shares)

    def _scored(self, loader: DataLoader, when: str) -> Generator[Event, None, Validation]:
        done = [0]

        def batches() -> Iterator[tuple[Any, torch.Tensor]]:
            for inputs, targets in loader:
                yield to_device(inputs, self.device), targets.to(self.device)
                done[0] += 1

        def score() -> Validation:  # autocast and grad mode are per thread: set them here
            with torch.autocast("cuda", dtype=self.dtype, enabled=self.dtype is not None):
                cancel = distributed.unshared(self.cancel)
                return self.objective.validate(self.model, batches(), cancel)

        outcome = in_background(score, "validation")
        tracker = EtaTracker(len(loader))
        fraction = self.last_step / max(self.total_steps, 1)
        said = -1
        while True:
            try:
                return wait_for(outcome, self.cancel, timeout=VALIDATION_POLL_S)
            except TimeoutError:
                if done[0] != said:
                    said = done[0]
                    progress = tracker.progress(said, f"{self.config.phase}: validating {when}")
                    yield replace(progress, fraction=fraction)

    def keep_best(self, epoch: int, val: Validation | None) -> bool:
        """Remember this epoch's weights if validation improved; returns whether it did."""
        # The objective says which figure decides (`Validation.decides`): the loss for
        # classifiers (accuracy on a small validation set moves in coarse steps), WER for speech.
        key = val.key if val is not None else float(epoch)
        improved = self.best_key is None or key > self.best_key + 1e-4
        if improved:
            self.best_key, self.best_state = key, _state_copy(self.model)
            self.result.best_epoch, self.bad_epochs = epoch + 1, 0
        else:
            self.bad_epochs += 1
        return improved

    def end_epoch(
        self, epoch: int, train_loss: float, train_accuracy: float, seconds: float
    ) -> Generator[Event, None, EpochMetrics]:
        """Validate, keep the weights if they are the best yet, and record the epoch."""
        val = yield from self.validate(f"after epoch {epoch + 1}")
        improved = self.keep_best(epoch, val)
        self.start_state = None  # an epoch is kept from now on: the copy is not needed
        metrics = EpochMetrics(
            self.config.phase,
            epoch + 1,
            self.config.epochs,
            train_loss,
            train_accuracy,
            val.loss if val else None,
            val.accuracy if val else None,
            improved,
            seconds,
            dict(val.metrics) if val else {},
        )
        self.decides = val.decides if val else self.decides
        self.result.history.append(metrics)
        return metrics

    def checkpoint(self, epoch: int) -> Checkpoint:
        return Checkpoint(
            phase=self.config.phase,
            epoch=epoch + 1,
            model=self.model.state_dict(),
            optimizer=self.optimizer.state_dict(),
            scheduler=self.scheduler.state_dict(),
            scaler=self.scaler.state_dict(),
            history=list(self.result.history),
            best_epoch=self.result.best_epoch,
            best_state=self.best_state,
            best_key=self.best_key,
            bad_epochs=self.bad_epochs,
        )

    def finish(self) -> Generator[Event, None, None]:
        """Say how the run ended, then load the best weights and predict the validation set."""
        phase, result = self.config.phase, self.result
        if result.finished_on_request:
            yield Log(f"{phase}: finished on request after {plural(len(result.history), 'epoch')}")
        if self.best_state is not None and result.best_epoch == 0:
            yield Log(f"{phase}: no epoch beat the starting weights on validation; keeping them")
        elif result.best_epoch:
            yield Log(f"{phase}: {why_best(result.history, result.best_epoch, self.decides)}")
        if result.stopped_early:
            yield Log(
                f"{phase}: stopped early, validation did not improve for "
                f"{plural(self.config.patience, 'epoch')}; keeping epoch {result.best_epoch}"
            )
        if self.best_state is not None:
            self.model.load_state_dict(self.best_state)
        elif self.start_state is not None:
            yield Log(f"{phase}: no epoch finished; keeping the starting weights")
            self.model.load_state_dict(self.start_state)
        final = yield from self.validate("the kept epoch")
        result.final = final
        if final is not None:
            result.val_predictions, result.val_scores = final.predictions, final.scores


class FinishNow(Exception):
    """Raised between steps when the user asked to finish with the best epoch so far."""


def why_best(history: list[EpochMetrics], best: int, decides: Decider = LOSS) -> str:
    """Why epoch `best` is kept, and where another figure was better (so "best" is no mystery)."""
    kept = next(h for h in history if h.epoch == best)
    if kept.val_loss is None:
        return f"keeping epoch {best}, the last (no validation examples to choose by)"
    value = kept.val_metrics.get(decides.name, kept.val_loss)
    text = f"keeping epoch {best}: {decides.describe()} ({figure(decides.name, value)})"
    if decides is not LOSS:
        return text
    scored = [h for h in history if h.val_accuracy is not None]
    top = max(scored, key=lambda h: h.val_accuracy or 0.0, default=None)
    if top is not None and (top.val_accuracy or 0.0) > (kept.val_accuracy or 0.0) + 1e-9:
        text += f"; validation accuracy was higher at epoch {top.epoch} ({top.val_accuracy:.1%})"
    return text


def _classification(config: LoopConfig) -> Classification:
    weights = config.class_weights
    return Classification(
        torch.tensor(weights, device=config.device) if weights else None, config.label_smoothing
    )


def fit(
    model: nn.Module,
    train_set: Dataset,
    val_set: Dataset | None,
    config: LoopConfig,
    *,
    objective: Objective | None = None,
    collate: Collate | None = None,
    cancel: CancelToken | None = None,
    pause: PauseGate | None = None,
    checkpoint: Path | None = None,
    resume: Checkpoint | None = None,
) -> Generator[Event, None, FitResult]:
    """Train `model` in place; on return it holds the best epoch's weights.

    Without an `objective` it trains a classifier (cross-entropy with the config's class
    weights and label smoothing). With `checkpoint`, every epoch ends with one written there.
    """
    run = _Fit(
        model,
        train_set,
        val_set,
        config,
        objective or _classification(config),
        collate,
        cancel or CancelToken(),
        pause or PauseGate(),
    )
    group = distributed.current()
    if group.active:
        yield Log(
            f"{config.phase}: {group.world} process{'es' * (group.world > 1)}, each takes "
            f"{run.batch_size} "
            f"examples of every batch of {config.batch_size}"
        )
    start = run.restore(resume) if resume is not None else None
    if start is None and config.keep_start:
        start = yield from run.keep_start()
    if start is not None:
        yield start
    run.keep_start_weights()
    for epoch in range(run.start_epoch, config.epochs):
        if run.should_stop(epoch):
            run.result.stopped_early = True
            break
        try:
            if run.pause.finishing:
                raise FinishNow
            train_loss, train_accuracy, seconds = yield from run.train_epoch(epoch)
        except FinishNow:
            run.result.finished_on_request = True
            break
        metrics = yield from run.end_epoch(epoch, train_loss, train_accuracy, seconds)
        if checkpoint is not None and distributed.current().main:
            run.checkpoint(epoch).save(checkpoint)
        yield metrics
    yield from run.finish()
    return run.result
