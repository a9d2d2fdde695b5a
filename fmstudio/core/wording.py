"""How counts are written in every message, view and CLI line: `1 file`, `cat: 12 · dog: 9`."""

from __future__ import annotations

from collections.abc import Mapping


def plural(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def format_counts(counts: Mapping[str, int]) -> str:
    """`cat: 12 · dog: 9`: class counts as every view and the CLI show them."""
    return " · ".join(f"{name}: {n}" for name, n in counts.items()) or "nothing"
