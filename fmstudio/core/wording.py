"""How counts are written in every message, view and CLI line: `1 file`, `cat: 12 · dog: 9`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence


def plural(n: int, noun: str) -> str:
    """`1 class`, `3 classes`, `0 epochs`: a count and its noun, agreeing."""
    if n == 1:
        return f"{n} {noun}"
    return f"{n} {noun}{'es' if noun.endswith(('s', 'x', 'sh')) else 's'}"


def format_counts(counts: Mapping[str, int]) -> str:
    """`cat: 12 · dog: 9`: class counts as every view and the CLI show them."""
    return " · ".join(f"{name}: {n}" for name, n in counts.items()) or "nothing"


def some_of(names: Sequence[str], shown: int = 8) -> str:
    """`a, b, c` or, for a long list, `a, b, …, h and 992 more`: a message names a few."""
    if len(names) <= shown:
        return ", ".join(names)
    return f"{', '.join(names[:shown])} and {len(names) - shown} more"


def duration(seconds: float) -> str:
    """A step's time as a person reads it: "0.4 s", "14 s", "2.5 min", "1.2 h"."""
    if seconds < 10:
        return f"{seconds:.1f} s"
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.1f} min"
    return f"{seconds / 3600:.1f} h"
