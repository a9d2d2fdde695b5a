"""Review, least sure first: the order to go through classified inputs, and what was decided.

The window maps keys onto this (1-9 a class, Enter the prediction, a skip key); each decision
also adds the input to a dataset, which the window does through `Dataset`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from fmstudio.core.results import ItemResult

MAX_KEYED = 9
"""Classes 1 to 9 have a key; others are chosen in the Add to dataset dialog."""


def review_classes(results: Iterable[ItemResult], dataset_classes: Iterable[str]) -> list[str]:
    """The classes offered while reviewing: the dataset's and every label the model gave."""
    labels = set(dataset_classes)
    for r in results:
        labels.update(p.label for p in r.predictions)
    return sorted(labels, key=lambda label: (label.casefold(), label))


class ReviewQueue:
    """Indices into `results`, lowest top score first (failed inputs are not reviewed).

    `limit` keeps only that many of the least sure: active learning asks for a few.
    """

    def __init__(self, results: Sequence[ItemResult], limit: int | None = None) -> None:
        scored = [(r.top.score, i) for i, r in enumerate(results) if r.top is not None]
        self.order = [i for _, i in sorted(scored)][:limit]
        self.decisions: dict[int, str | None] = {}
        """Result index → the class chosen, or None when skipped."""

    @property
    def reviewed(self) -> int:
        return len(self.decisions)

    @property
    def remaining(self) -> int:
        return len(self.order) - self.reviewed

    def current(self) -> int | None:
        """The next input to decide on, or None when all are done."""
        return next((i for i in self.order if i not in self.decisions), None)

    def decide(self, index: int, label: str | None) -> None:
        """Record a class (None: skipped) for the input at `index`."""
        if index not in self.order:
            raise ValueError(f"input {index} is not under review")
        self.decisions[index] = label

    def undo(self, index: int) -> None:
        self.decisions.pop(index, None)

    def counter(self) -> str:
        return f"{self.reviewed} reviewed / {self.remaining} remaining"
