"""The metric history of a run, kept by the core so that a plot only has to render it."""

from __future__ import annotations

from dataclasses import dataclass, field

from fmstudio.core.events import Event
from fmstudio.core.train.events import WARM_UP, EpochMetrics, StepMetrics

SMOOTHING = 0.9
"""Weight of the past in the smoothed loss (an exponential moving average, bias-corrected)."""


@dataclass
class MetricHistory:
    """Series for the curves: loss per step (raw and smoothed), validation per epoch, and the
    warm-up of a new classifier's head (its epochs numbered up to 0, before the run's first).

    A resumed run starts again after its last finished epoch: the steps and epochs it
    discarded are dropped, so they are not drawn under the new ones.
    """

    steps: list[int] = field(default_factory=list)
    loss: list[float] = field(default_factory=list)
    smoothed: list[float] = field(default_factory=list)
    epochs: list[int] = field(default_factory=list)
    train_loss: list[float] = field(default_factory=list)
    val_epochs: list[int] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    val_accuracy: list[float] = field(default_factory=list)
    val_metrics: dict[str, list[float]] = field(default_factory=dict)
    """Named validation figures per epoch ("wer" for speech), as the objective gives them."""
    val_metric_epochs: dict[str, list[int]] = field(default_factory=dict)
    """The epochs each named figure was measured at."""
    warm_epochs: list[float] = field(default_factory=list)
    """Where the warm-up's epochs sit on the epoch axis: spread over (-1, 0], so its 30 quick
    epochs take the room of one and leave the chart to the run's own."""
    warm_val_loss: list[float] = field(default_factory=list)
    version: int = 0

    def add(self, event: Event) -> bool:
        """Record a metrics event; returns whether anything changed."""
        if isinstance(event, StepMetrics) and event.phase != WARM_UP:
            self._step(event)
        elif isinstance(event, EpochMetrics) and event.phase == WARM_UP:
            if event.val_loss is None:
                return False
            self.warm_epochs.append((event.epoch - event.epochs) / max(event.epochs, 1))
            self.warm_val_loss.append(event.val_loss)
        elif isinstance(event, EpochMetrics):
            self._epoch(event)
        else:
            return False
        self.version += 1
        return True

    def _step(self, event: StepMetrics) -> None:
        if self.steps and event.step <= self.steps[-1]:  # resumed: these steps were discarded
            kept = sum(1 for s in self.steps if s < event.step)
            del self.steps[kept:], self.loss[kept:], self.smoothed[kept:]
        # The moving average before this step, undone from its bias-corrected last point: so
        # a truncated history goes on from where it was cut.
        n = len(self.loss)
        ema = self.smoothed[-1] * (1 - SMOOTHING**n) if n else 0.0
        ema = SMOOTHING * ema + (1 - SMOOTHING) * event.loss
        self.steps.append(event.step)
        self.loss.append(event.loss)
        self.smoothed.append(ema / (1 - SMOOTHING ** (n + 1)))

    def _epoch(self, event: EpochMetrics) -> None:
        if self.epochs and event.epoch <= self.epochs[-1]:
            self._drop_epochs_from(event.epoch)
        self.epochs.append(event.epoch)
        self.train_loss.append(event.train_loss)
        if event.val_loss is not None and event.val_accuracy is not None:
            self.val_epochs.append(event.epoch)
            self.val_loss.append(event.val_loss)
            self.val_accuracy.append(event.val_accuracy)
        for name, value in event.val_metrics.items():
            self.val_metrics.setdefault(name, []).append(value)
            self.val_metric_epochs.setdefault(name, []).append(event.epoch)

    def _drop_epochs_from(self, epoch: int) -> None:
        kept = sum(1 for e in self.epochs if e < epoch)
        del self.epochs[kept:], self.train_loss[kept:]
        kept = sum(1 for e in self.val_epochs if e < epoch)
        del self.val_epochs[kept:], self.val_loss[kept:], self.val_accuracy[kept:]
        for name, at in self.val_metric_epochs.items():
            kept = sum(1 for e in at if e < epoch)
            del at[kept:], self.val_metrics[name][kept:]
