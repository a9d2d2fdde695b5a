"""What a training step minimises and how validation scores an epoch.

The loop knows only this interface, so a task whose loss is not a classifier's (speech:
a sequence of tokens) brings its own objective instead of changing the loop.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

import torch
from torch import nn

from fmstudio.core.events import CancelToken


@dataclass
class Validation:
    """An epoch's validation: mean loss, accuracy, and each example's prediction and score."""

    loss: float
    accuracy: float
    predictions: list[int] = field(default_factory=list)
    scores: list[float] = field(default_factory=list)
    wer: float | None = None
    """Set by objectives that transcribe: then it, not the loss, picks the best epoch."""
    words: int = 0
    """The reference words behind `wer`: shares from several processes merge by them."""

    @property
    def key(self) -> float:
        """Higher is better. WER decides where there is one; the loss only breaks its ties."""
        if self.wer is not None:
            return -(self.wer + 1e-3 * self.loss)
        return -self.loss


class Objective(Protocol):
    def loss(
        self, model: nn.Module, inputs: Any, targets: torch.Tensor
    ) -> tuple[torch.Tensor, float]:
        """The batch's loss to minimise, and how many of its examples the model got right
        (a sum of per-example shares where an example can be partly right)."""
        ...

    def validate(
        self, model: nn.Module, batches: Iterable[tuple[Any, torch.Tensor]], cancel: CancelToken
    ) -> Validation:
        """Score the model on the validation batches (already on the device, in eval mode)."""
        ...


def logits_of(model: nn.Module, inputs: Any) -> torch.Tensor:
    """A model's logits for a batch of tensors or of tokenizer outputs."""
    out = model(**inputs) if isinstance(inputs, Mapping) else model(inputs)
    logits: torch.Tensor = out.logits if hasattr(out, "logits") else out
    return logits


@dataclass(frozen=True)
class Classification:
    """Cross-entropy on class logits, optionally class-weighted and label-smoothed.

    Validation uses the same label smoothing (but no class weights), so epochs and the warm
    start are compared on the objective the run optimises.
    """

    class_weights: torch.Tensor | None = None
    label_smoothing: float = 0.0

    def loss(
        self, model: nn.Module, inputs: Any, targets: torch.Tensor
    ) -> tuple[torch.Tensor, float]:
        logits = logits_of(model, inputs).float()
        loss = nn.functional.cross_entropy(
            logits, targets, weight=self.class_weights, label_smoothing=self.label_smoothing
        )
        return loss, int((logits.argmax(-1) == targets).sum())

    @torch.no_grad()
    def validate(
        self, model: nn.Module, batches: Iterable[tuple[Any, torch.Tensor]], cancel: CancelToken
    ) -> Validation:
        total_loss, n, correct = 0.0, 0, 0
        predictions: list[int] = []
        scores: list[float] = []
        for inputs, targets in batches:
            cancel.raise_if_cancelled()
            logits = logits_of(model, inputs).float()
            total_loss += nn.functional.cross_entropy(
                logits, targets, reduction="sum", label_smoothing=self.label_smoothing
            ).item()
            top, pred = logits.softmax(-1).max(-1)
            correct += int((pred == targets).sum())
            n += len(targets)
            predictions += pred.tolist()
            scores += top.tolist()
        if not n:
            return Validation(0.0, 0.0)
        return Validation(total_loss / n, correct / n, predictions, scores)
