"""Review, least sure first: the order to go through classified inputs, and what was decided.

The window maps keys onto this (1-9 and 0 a class, Enter the prediction, a skip key); each decision
also adds the input to a dataset, which the window does through `Dataset`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence

from fmstudio.core.classify.results import ItemResult

MAX_KEYED = 10
"""Classes 1 to 10 have a key (1-9, then 0, as on the keyboard); others are chosen in the
Add to dataset dialog."""


KEY_ORDER = [str((n + 1) % 10) for n in range(MAX_KEYED)]


def class_keys(classes: Sequence[str]) -> dict[str, str]:
    """Key → class, in keyboard order: a class named like a key ("3") gets that key, the
    others the free keys in turn, so the digit 3 is never a key for some other class."""
    keyed = {c: c for c in classes if c in KEY_ORDER}
    free = [k for k in KEY_ORDER if k not in keyed]
    keyed.update(zip(free, [c for c in classes if c not in keyed], strict=False))
    return {k: keyed[k] for k in KEY_ORDER if k in keyed}


def review_classes(results: Sequence[ItemResult], dataset_classes: Iterable[str]) -> list[str]:
    """The classes a review offers, in key order: the dataset's own (by name), then the
    model's top labels, most frequent first; the model's other labels too when the model has
    few (a trained classifier, zero-shot labels), not an ImageNet model's thousand."""
    ordered = sorted(set(dataset_classes), key=lambda c: (c.casefold(), c))
    tops = Counter(r.top.label for r in results if r.top is not None)
    ordered += [c for c, _ in sorted(tops.items(), key=lambda kv: (-kv[1], kv[0]))]
    others = {p.label for r in results for p in r.predictions}
    if len(others | set(ordered)) <= MAX_KEYED:
        ordered += sorted(others, key=lambda c: (c.casefold(), c))
    return list(dict.fromkeys(ordered))


class ReviewQueue:
    """Indices into `results`, lowest top score first (failed inputs are not reviewed).

    `limit` keeps only that many of the least sure: active learning asks for a few. `order`
    replaces least-sure-first with a chosen order (`audit.pick.choose_to_label`'s).
    """

    def __init__(
        self,
        results: Sequence[ItemResult],
        limit: int | None = None,
        order: Sequence[int] | None = None,
    ) -> None:
        if order is None:
            scored = [(r.top.score, i) for i, r in enumerate(results) if r.top is not None]
            order = [i for _, i in sorted(scored)]
        self.order = list(order)[:limit]
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
