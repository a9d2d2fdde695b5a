"""Counts and their nouns, as every status line and report says them."""

from __future__ import annotations

from fmstudio.core.wording import plural


def test_counts_agree_with_their_nouns() -> None:
    """The window said "1 classes", "after 1 epochs"."""
    assert plural(1, "class") == "1 class" and plural(2, "class") == "2 classes"
    assert plural(1, "epoch") == "1 epoch" and plural(0, "epoch") == "0 epochs"
    assert plural(3, "box") == "3 boxes" and plural(2, "speaker") == "2 speakers"


def test_a_long_list_is_named_by_a_few() -> None:
    """Evaluating the ImageNet model on digits listed all its 1000 classes in the window."""
    from fmstudio.core.wording import some_of

    assert some_of(["a", "b"]) == "a, b"
    names = [f"c{i}" for i in range(1000)]
    assert some_of(names) == "c0, c1, c2, c3, c4, c5, c6, c7 and 992 more"


def test_a_duration_reads_in_the_unit_a_person_would_use() -> None:
    from fmstudio.core.wording import duration

    assert [duration(s) for s in (0.04, 14.2, 150, 7200)] == ["0.0 s", "14 s", "2.5 min", "2.0 h"]
