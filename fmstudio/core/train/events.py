"""What a training run yields besides progress and log lines: one event per step and epoch.

Kept apart from the loop (and free of torch) so the CLI and the wizard can recognise and
print them without importing the training code.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
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
    val_metrics: dict[str, float] = field(default_factory=dict)
    """Validation figures beyond loss and accuracy, by name ("wer"), as the objective gave
    them."""

    def to_json(self) -> dict[str, Any]:
        """Flat, as the CLI's JSON lines print it: each named figure as `val_<name>`."""
        out = asdict(self)
        out.update({f"val_{name}": value for name, value in out.pop("val_metrics").items()})
        return out

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> EpochMetrics:
        """The event `to_json` wrote (a checkpoint's history), older ones' `val_wer` too."""
        known = {f.name for f in fields(cls)} - {"val_metrics"}
        named = {k[4:]: v for k, v in data.items() if k not in known and k.startswith("val_")}
        return cls(
            **{k: v for k, v in data.items() if k in known},
            val_metrics={k: v for k, v in named.items() if v is not None},
        )

    def summary(self) -> str:
        """The one line the CLI and the wizard's log print for an epoch."""
        val = (
            f", val loss {self.val_loss:.4f}, val acc {self.val_accuracy:.1%}"
            if self.val_loss is not None and self.val_accuracy is not None
            else ""
        )
        for name, value in self.val_metrics.items():
            val += f", val {NAMES.get(name, name)} {figure(name, value)}"
        best = "  *best" if self.best else ""
        return (
            f"{self.phase} epoch {self.epoch}/{self.epochs}: loss {self.train_loss:.4f}, "
            f"acc {self.train_accuracy:.1%}{val} ({self.seconds:.1f} s){best}"
        )


NAMES = {"wer": "WER", "cer": "CER", "map": "mAP", "map_50": "mAP@0.5", "f1": "F1"}
"""How a metric's name is written for people where its plain name is not the way."""
RATES = frozenset({"wer", "cer", "accuracy", "f1", "map", "map_50"})
"""Figures that are shares, printed as percentages."""


def figure(name: str, value: float) -> str:
    """A validation figure as people read it: shares as percentages, the rest as numbers."""
    return f"{value:.1%}" if name in RATES else f"{value:.4f}"
