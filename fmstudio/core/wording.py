"""How counts are written in every message, view and CLI line: `1 file`, `cat: 12 · dog: 9`."""

from __future__ import annotations

from collections.abc import Mapping


def plural(n: int, noun: str) -> str:
    """`1 class`, `3 classes`, `0 epochs`: a count and its noun, agreeing."""
    if n == 1:
        return f"{n} {noun}"
    return f"{n} {noun}{'es' if noun.endswith(('s', 'x', 'sh')) else 's'}"


def format_counts(counts: Mapping[str, int]) -> str:
    """`cat: 12 · dog: 9`: class counts as every view and the CLI show them."""
    return " · ".join(f"{name}: {n}" for name, n in counts.items()) or "nothing"
