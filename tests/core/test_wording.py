"""Counts and their nouns, as every status line and report says them."""

from __future__ import annotations

from fmstudio.core.wording import plural


def test_counts_agree_with_their_nouns() -> None:
    """The window said "1 classes", "after 1 epochs"."""
    assert plural(1, "class") == "1 class" and plural(2, "class") == "2 classes"
    assert plural(1, "epoch") == "1 epoch" and plural(0, "epoch") == "0 epochs"
    assert plural(3, "box") == "3 boxes" and plural(2, "speaker") == "2 speakers"
