"""The metric history of a run, kept by the core so that a plot only has to render it."""

from __future__ import annotations

from dataclasses import dataclass, field

from fmstudio.core.events import Event
from fmstudio.core.train.events import WARM_UP, EpochMetrics, StepMetrics

SMOOTHING = 0.9
"""Weight of the past in the smoothed loss (an exponential moving average, bias-corrected)."""


@dataclass
class MetricHistory:
    """Series for the curves: loss per step (raw and smoothed) and validation per epoch.

    The warm-up of a new classifier (a few seconds on cached features) is left out: the
    curves show the run the user asked for.
    """

    steps: list[int] = field(default_factory=list)
    loss: list[float] = field(default_factory=list)
    smoothed: list[float] = field(default_factory=list)
    epochs: list[int] = field(default_factory=list)
    train_loss: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    val_accuracy: list[float] = field(default_factory=list)
    val_metrics: dict[str, list[float]] = field(default_factory=dict)
    """Named validation figures per epoch ("wer" for speech), as the objective gives them."""
    val_metric_epochs: dict[str, list[int]] = field(default_factory=dict)
    """The epochs each named figure was measured at."""
    version: int = 0
    _ema: float = 0.0

    def add(self, event: Event) -> bool:
        """Record a metrics event; returns whether anything changed."""
        if isinstance(event, StepMetrics) and event.phase != WARM_UP:
            self._ema = SMOOTHING * self._ema + (1 - SMOOTHING) * event.loss
            self.steps.append(event.step)
            self.loss.append(event.loss)
            self.smoothed.append(self._ema / (1 - SMOOTHING ** len(self.steps)))
        elif isinstance(event, EpochMetrics) and event.phase != WARM_UP:
            self.epochs.append(event.epoch)
            self.train_loss.append(event.train_loss)
            if event.val_loss is not None and event.val_accuracy is not None:
                self.val_loss.append(event.val_loss)
                self.val_accuracy.append(event.val_accuracy)
            for name, value in event.val_metrics.items():
                self.val_metrics.setdefault(name, []).append(value)
                self.val_metric_epochs.setdefault(name, []).append(event.epoch)
        else:
            return False
        self.version += 1
        return True
