"""What a training run yields besides progress and log lines: one event per step and epoch.

Kept apart from the loop (and free of torch) so the CLI and the wizard can recognise and
print them without importing the training code.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from fmstudio.core.events import Event

WARM_UP = "warm-up"
"""The phase that trains a new classifier on frozen features before full fine-tuning."""


@dataclass(frozen=True)
class StepMetrics(Event):
    """One optimiser step: the training loss of its batch and where the run is."""

    phase: str
    epoch: int
    step: int
    steps_total: int
    loss: float
    lr: float
    samples_per_s: float
    eta_s: float | None


@dataclass(frozen=True)
class EpochMetrics(Event):
    """The end of an epoch: training and validation loss and accuracy."""

    phase: str
    epoch: int
    epochs: int
    train_loss: float
    train_accuracy: float
    val_loss: float | None
    val_accuracy: float | None
    best: bool
    seconds: float
    val_wer: float | None = None
    """Speech: the validation word error rate, which picks the best epoch."""

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    def summary(self) -> str:
        """The one line the CLI and the wizard's log print for an epoch."""
        val = (
            f", val loss {self.val_loss:.4f}, val acc {self.val_accuracy:.1%}"
            if self.val_loss is not None and self.val_accuracy is not None
            else ""
        )
        if self.val_wer is not None:
            val += f", val WER {self.val_wer:.1%}"
        best = "  *best" if self.best else ""
        return (
            f"{self.phase} epoch {self.epoch}/{self.epochs}: loss {self.train_loss:.4f}, "
            f"acc {self.train_accuracy:.1%}{val} ({self.seconds:.1f} s){best}"
        )
