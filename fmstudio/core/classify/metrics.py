"""Classification metrics for evaluation: accuracy, macro-F1, per-class P/R/F1, confusion matrix.

Plain Python on label indices, so `fmstudio eval --json` and the wizard's Evaluate page share
one implementation with no extra dependency.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from fmstudio.core.classify.scan import Sample
from fmstudio.core.data.thumbnail import Thumbnail


@dataclass(frozen=True)
class Evaluation:
    labels: list[str]
    confusion: list[list[int]]  # rows: true class, columns: predicted class

    @property
    def n(self) -> int:
        return sum(map(sum, self.confusion))

    @property
    def accuracy(self) -> float:
        correct = sum(self.confusion[i][i] for i in range(len(self.labels)))
        return correct / self.n if self.n else 0.0

    def per_class(self) -> dict[str, dict[str, float | int]]:
        out: dict[str, dict[str, float | int]] = {}
        for i, label in enumerate(self.labels):
            tp = self.confusion[i][i]
            predicted = sum(row[i] for row in self.confusion)
            support = sum(self.confusion[i])
            precision = tp / predicted if predicted else 0.0
            recall = tp / support if support else 0.0
            f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
            out[label] = {"precision": precision, "recall": recall, "f1": f1, "support": support}
        return out

    @property
    def macro_f1(self) -> float:
        """Mean F1 over the classes that occur in the true labels."""
        scores = [m["f1"] for m in self.per_class().values() if m["support"]]
        return float(sum(scores) / len(scores)) if scores else 0.0

    def to_json(self) -> dict[str, Any]:
        return {
            "accuracy": self.accuracy,
            "macro_f1": self.macro_f1,
            "per_class": self.per_class(),
            "labels": list(self.labels),
            "confusion_matrix": [list(row) for row in self.confusion],
            "n": self.n,
        }


def score_predictions(
    labels: Sequence[str], truth: Sequence[int], predicted: Sequence[int]
) -> Evaluation:
    """The confusion matrix (and so every metric) of predicted against true class indices."""
    if len(truth) != len(predicted):
        raise ValueError(f"{len(truth)} true labels but {len(predicted)} predictions")
    k = len(labels)
    confusion = [[0] * k for _ in range(k)]
    for t, p in zip(truth, predicted, strict=True):
        confusion[t][p] += 1
    return Evaluation(list(labels), confusion)


@dataclass(frozen=True)
class Misclassified:
    path: str
    truth: str
    predicted: str
    score: float
    text: str | None = None
    thumbnail: Thumbnail | None = field(default=None, repr=False, compare=False)

    def to_json(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "truth": self.truth,
            "predicted": self.predicted,
            "score": round(self.score, 6),
        }


def misclassified(
    samples: Sequence[Sample], predicted: Sequence[str], scores: Sequence[float]
) -> list[Misclassified]:
    """The samples whose predicted label is not their own, with the model's confidence."""
    return [
        Misclassified(s.path, s.label, label, score, s.text)
        for s, label, score in zip(samples, predicted, scores, strict=True)
        if label != s.label
    ]
