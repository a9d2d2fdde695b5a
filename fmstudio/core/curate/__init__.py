"""Turning classified inputs into data: add them to a dataset folder, or sort them into folders.

Both only ever copy (or, when asked, move) the user's files; neither overwrites anything.
"""

from __future__ import annotations

from collections.abc import Mapping


def format_counts(counts: Mapping[str, int]) -> str:
    """`cat: 12 · dog: 9`: class counts as every view and the CLI show them."""
    return " · ".join(f"{name}: {n}" for name, n in counts.items()) or "nothing"
