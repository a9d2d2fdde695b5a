"""Box editing without Qt: what a press grabs, where a drag takes a box, what a drag draws, and
which images a review shows first."""

from __future__ import annotations

import pytest

from fmstudio.core.detect.editing import (
    BOTTOM,
    LEFT,
    RIGHT,
    TOP,
    WHOLE,
    Grab,
    dragged,
    drawn,
    grab,
    least_sure_first,
    sureness,
)
from fmstudio.core.detect.results import Box, Detections

BIG = Box("table", 0.9, (10, 10, 200, 150))
SMALL = Box("cup", 0.6, (50, 40, 80, 70))


@pytest.mark.parametrize(
    ("x", "y", "expected"),
    [
        (120, 120, Grab(0, WHOLE)),  # inside the table only
        (60, 50, Grab(1, WHOLE)),  # the cup lies on the table: the smaller wins
        (12, 80, Grab(0, frozenset({LEFT}))),
        (199, 149, Grab(0, frozenset({RIGHT, BOTTOM}))),
        (81, 39, Grab(1, frozenset({RIGHT, TOP}))),
        (5, 5, None),  # outside both, beyond reach of the corner at (10, 10)
        (300, 300, None),
    ],
)
def test_a_press_grabs_the_box_and_edges_under_it(x: float, y: float, expected) -> None:
    assert grab([BIG, SMALL], x, y, reach=3) == expected


def test_a_box_thinner_than_the_reach_gives_the_nearer_side() -> None:
    thin = Box("pole", 0.5, (100, 0, 102, 100))
    assert grab([thin], 102.5, 50, reach=3) == Grab(0, frozenset({RIGHT}))


def test_a_move_keeps_the_size_inside_the_image() -> None:
    size = (300, 200)
    assert dragged(BIG.box, WHOLE, 30, -5, size) == (40, 5, 230, 145)
    assert dragged(BIG.box, WHOLE, 500, 500, size) == (110, 60, 300, 200)  # stops at the edge


def test_a_resize_moves_its_edges_and_swaps_past_the_other_side() -> None:
    size = (300, 200)
    assert dragged(BIG.box, frozenset({RIGHT, BOTTOM}), 20, 10, size) == (10, 10, 220, 160)
    assert dragged(BIG.box, frozenset({LEFT}), 250, 0, size) == (200, 10, 260, 150)
    assert dragged(BIG.box, frozenset({TOP}), 0, -50, size) == (10, 0, 200, 150)


def test_a_drag_draws_an_ordered_clipped_box_and_a_click_draws_none() -> None:
    assert drawn((250, 190), (-20, 30), (300, 200)) == (0, 30, 250, 190)
    assert drawn((10, 10), (12, 60), (300, 200)) is None


def test_the_least_sure_images_come_first_and_the_unreadable_last() -> None:
    sure = Detections("a.png", (Box("cat", 0.95, (0, 0, 9, 9)),))
    doubtful = Detections("b.png", (Box("cat", 0.9, (0, 0, 9, 9)), Box("dog", 0.28, (1, 1, 5, 5))))
    empty = Detections("c.png")
    broken = Detections("d.png", error="truncated")
    assert sureness(doubtful, 0.3) == pytest.approx(0.02)
    assert sureness(empty, 0.3) == 1.0
    assert least_sure_first([broken, sure, empty, doubtful], 0.3) == [3, 1, 2, 0]
