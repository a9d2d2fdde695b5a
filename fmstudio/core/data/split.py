"""How a dataset without its own split is divided: one rule for every family's scan."""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from typing import TypeVar

from fmstudio.core.data.report import Example, relative_path

VAL_SPLIT = 0.2
"""The share of each class (or of all clips) held out for validation unless the user chooses
another."""

KEPT = "kept"
"""The split of a retrain: the previous model's validation files, the rest to train."""

T = TypeVar("T")
E = TypeVar("E", bound=Example)


def shuffled_split(
    items: Sequence[T], val_split: float, rng: random.Random
) -> tuple[list[T], list[T]]:
    """A shuffle with `rng`, then `val_split` of the items (at least 1, never all) to
    validation: (train, val). Callers sort first, so the same seed gives the same split."""
    shuffled = list(items)
    rng.shuffle(shuffled)
    n = len(shuffled)
    n_val = min(max(1, round(n * val_split)), n - 1) if val_split > 0 else 0
    return shuffled[n_val:], shuffled[:n_val]


def seeded_split(items: Sequence[E], val_split: float, seed: int) -> tuple[list[E], list[E]]:
    """The examples sorted by path (the order files were found in must not matter), a seeded
    shuffle, then `val_split` of them (at least 1, never all) to validation: (train, val)."""
    return shuffled_split(sorted(items, key=lambda e: e.path), val_split, random.Random(seed))


def kept_apart(examples: Sequence[E], root: str, files: Iterable[str]) -> tuple[list[E], list[E]]:
    """(train, val) of a retrain: the examples whose path relative to `root` is one of
    `files` (the previous model's validation files) validate, the rest train."""
    keep = set(files)
    val = [e for e in examples if relative_path(e.path, root) in keep]
    train = [e for e in examples if relative_path(e.path, root) not in keep]
    return train, val
