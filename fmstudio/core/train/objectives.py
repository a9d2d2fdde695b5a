"""What a training step minimises and how validation scores an epoch.

The loop knows only this interface, so a task whose loss is not a classifier's (speech:
a sequence of tokens) brings its own objective instead of changing the loop.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

import torch
from torch import nn

from fmstudio.core.events import CancelToken
from fmstudio.core.train.events import NAMES


@dataclass(frozen=True)
class Decider:
    """The validation figure that picks the best epoch, and which way is better."""

    name: str = "loss"
    higher_is_better: bool = False

    def describe(self) -> str:
        """`the lowest validation WER`: how the "kept epoch N" line names the choice."""
        shown = NAMES.get(self.name, self.name)
        return f"the {'highest' if self.higher_is_better else 'lowest'} validation {shown}"


LOSS = Decider()


@dataclass
class Validation:
    """An epoch's validation: mean loss, accuracy, any named figures (a WER, an mAP), which
    of them picks the best epoch, and each example's prediction and score."""

    loss: float
    accuracy: float
    predictions: list[int] = field(default_factory=list)
    scores: list[float] = field(default_factory=list)
    metrics: dict[str, float] = field(default_factory=dict)
    """Figures beyond loss and accuracy, by name ("wer"): shown, plotted and saved as they
    come; the loop knows none of them."""
    weights: dict[str, float] = field(default_factory=dict)
    """What a named figure is a mean over (a WER's reference words), so that shares from
    several processes merge into the whole set's figure; by examples where a name is absent."""
    decides: Decider = LOSS
    evidence: Any = None
    """What accuracy and the named figures were computed from, where a mean of the processes'
    shares is not the whole set's figure (an mAP ranks all boxes together): `rescore` computes
    them again from every share's evidence. None where a weighted mean is right."""
    logits: list[list[float]] = field(default_factory=list)
    """Each example's class logits (classifiers): what calibration fits its temperature on."""
    rescore: Callable[[list[Any]], tuple[float, dict[str, float]]] | None = None
    """A module-level function (it travels between processes): the evidence of all shares →
    accuracy and the named figures."""

    def figures(self) -> dict[str, float]:
        return {"loss": self.loss, "accuracy": self.accuracy, **self.metrics}

    @property
    def key(self) -> float:
        """Higher is better. `decides` picks; where it is not the loss, the loss only breaks
        its ties."""
        value = self.figures()[self.decides.name]
        signed = value if self.decides.higher_is_better else -value
        return signed if self.decides is LOSS else signed - 1e-3 * self.loss

    @staticmethod
    def merge(shares: list[tuple[list[int], Validation]]) -> Validation:
        """One validation from the processes' shares: means weighted by examples (a named
        figure by its `weights`, so a WER is the corpus WER), predictions back in the
        validation set's order."""
        if len(shares) == 1:
            return shares[0][1]
        n = sum(len(indices) for indices, _ in shares)
        if not n:
            return shares[0][1]
        order = [i for indices, _ in shares for i in indices]
        predictions = [p for _, v in shares for p in v.predictions]
        scores = [s for _, v in shares for s in v.scores]
        logits = [row for _, v in shares for row in v.logits]
        placed = sorted(range(len(order)), key=order.__getitem__)

        def mean(values: list[float], weights: list[float]) -> float:
            return sum(v * w for v, w in zip(values, weights, strict=True)) / max(sum(weights), 1)

        sizes = [float(len(idx)) for idx, _ in shares]
        names = set.intersection(*(set(v.metrics) for _, v in shares))
        weights = {m: [v.weights.get(m, len(i)) for i, v in shares] for m in names}
        accuracy = mean([v.accuracy for _, v in shares], sizes)
        metrics = {m: mean([v.metrics[m] for _, v in shares], weights[m]) for m in sorted(names)}
        rescore = shares[0][1].rescore
        if rescore is not None:
            accuracy, metrics = rescore([v.evidence for _, v in shares])
        return Validation(
            mean([v.loss for _, v in shares], sizes),
            accuracy,
            [predictions[i] for i in placed] if len(predictions) == n else [],
            [scores[i] for i in placed] if len(scores) == n else [],
            metrics,
            {m: sum(weights[m]) for m in names},
            shares[0][1].decides,
            logits=[logits[i] for i in placed] if len(logits) == n else [],
        )


class Objective(Protocol):
    def loss(
        self, model: nn.Module, inputs: Any, targets: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """The batch's loss to minimise, and how many of its examples the model got right
        (a sum of per-example shares where an example can be partly right), both on the
        device: the loop reads them without waiting for each step."""
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
    ) -> tuple[torch.Tensor, torch.Tensor]:
        logits = logits_of(model, inputs).float()
        loss = nn.functional.cross_entropy(
            logits, targets, weight=self.class_weights, label_smoothing=self.label_smoothing
        )
        return loss, (logits.detach().argmax(-1) == targets).sum()

    @torch.no_grad()
    def validate(
        self, model: nn.Module, batches: Iterable[tuple[Any, torch.Tensor]], cancel: CancelToken
    ) -> Validation:
        """Scored on the device, read once at the end (a read per batch made a GPU wait)."""
        losses: list[torch.Tensor] = []
        outputs: list[torch.Tensor] = []
        truths: list[torch.Tensor] = []
        for inputs, targets in batches:
            cancel.raise_if_cancelled()
            logits = logits_of(model, inputs).float()
            losses.append(
                nn.functional.cross_entropy(
                    logits, targets, reduction="sum", label_smoothing=self.label_smoothing
                )
            )
            outputs.append(logits)
            truths.append(targets)
        if not truths:
            return Validation(0.0, 0.0)
        logits, targets = torch.cat(outputs), torch.cat(truths)
        top, pred = logits.softmax(-1).max(-1)
        n = len(targets)
        total_loss, correct = float(torch.stack(losses).sum()), int((pred == targets).sum())
        return Validation(
            total_loss / n, correct / n, pred.tolist(), top.tolist(), logits=logits.tolist()
        )
