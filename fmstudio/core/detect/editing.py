"""Editing an image's boxes by hand, without Qt: which box and which of its edges a pointer
grabs, where a drag takes it, what a drawn box becomes, and which images a person should look at
first (the detector's least sure). The Detect tab's box editor is a thin layer over these."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from fmstudio.core.detect.results import Box, Detections

Corners = tuple[float, float, float, float]

USER_SCORE = 1.0
"""A box a person drew, moved, resized or named: sure, whatever the threshold."""
MIN_SIDE = 4.0
"""A drawn box narrower or lower than this many image pixels was a click, not a box."""

LEFT, TOP, RIGHT, BOTTOM = "left", "top", "right", "bottom"
WHOLE = frozenset({LEFT, TOP, RIGHT, BOTTOM})
"""All four edges move together: the box moves."""


@dataclass(frozen=True)
class Grab:
    """The box a press landed on (its index) and the edges a drag moves (all four: a move)."""

    index: int
    edges: frozenset[str]


def grab(boxes: Sequence[Box], x: float, y: float, reach: float) -> Grab | None:
    """The box under (x, y): an edge or corner within `reach` resizes it, its inside moves it.
    The smallest box wins, so a box drawn inside another can still be taken."""
    order = sorted(range(len(boxes)), key=lambda i: _area(boxes[i].box))
    for index in order:
        x1, y1, x2, y2 = boxes[index].box
        if not (x1 - reach <= x <= x2 + reach and y1 - reach <= y <= y2 + reach):
            continue
        near = {LEFT: abs(x - x1), RIGHT: abs(x - x2), TOP: abs(y - y1), BOTTOM: abs(y - y2)}
        edges = frozenset(e for e, d in near.items() if d <= reach)
        if {LEFT, RIGHT} <= edges:  # a box thinner than the reach: take the nearer side
            edges -= {LEFT if near[LEFT] > near[RIGHT] else RIGHT}
        if {TOP, BOTTOM} <= edges:
            edges -= {TOP if near[TOP] > near[BOTTOM] else BOTTOM}
        if edges:
            return Grab(index, edges)
        if x1 <= x <= x2 and y1 <= y <= y2:
            return Grab(index, WHOLE)
    return None


def dragged(
    corners: Corners, edges: frozenset[str], dx: float, dy: float, size: tuple[int, int]
) -> Corners:
    """`corners` after a drag by (dx, dy) of `edges`, kept inside an image of `size`. A move
    keeps the box's size; an edge dragged past its opposite one swaps with it."""
    width, height = size
    x1, y1, x2, y2 = corners
    if edges == WHOLE:
        dx = min(max(dx, -x1), width - x2)
        dy = min(max(dy, -y1), height - y2)
        return (x1 + dx, y1 + dy, x2 + dx, y2 + dy)
    x1 += dx if LEFT in edges else 0
    x2 += dx if RIGHT in edges else 0
    y1 += dy if TOP in edges else 0
    y2 += dy if BOTTOM in edges else 0
    return _inside((x1, y1, x2, y2), size)


Point = tuple[float, float]


def drawn(start: Point, end: Point, size: tuple[int, int]) -> Corners | None:
    """The box a drag from `start` to `end` draws inside an image of `size`; None for a click."""
    corners = _inside((start[0], start[1], end[0], end[1]), size)
    x1, y1, x2, y2 = corners
    return corners if x2 - x1 >= MIN_SIDE and y2 - y1 >= MIN_SIDE else None


def _inside(corners: Corners, size: tuple[int, int]) -> Corners:
    """Ordered (x1 ≤ x2, y1 ≤ y2) and clipped to the image."""
    x1, y1, x2, y2 = corners
    width, height = size
    left, right = sorted((min(max(x1, 0.0), width), min(max(x2, 0.0), width)))
    top, bottom = sorted((min(max(y1, 0.0), height), min(max(y2, 0.0), height)))
    return (left, top, right, bottom)


def _area(corners: Corners) -> float:
    return (corners[2] - corners[0]) * (corners[3] - corners[1])


def edited(result: Detections, boxes: Sequence[Box]) -> Detections:
    """`result` once a person has changed the boxes shown into `boxes`: the proposals hidden
    under the threshold go too, since the image now holds what the person saw."""
    return replace(result, boxes=tuple(boxes))


def sureness(result: Detections, min_score: float) -> float:
    """How far the detector's least sure box is from the threshold (1 with no box at all): a
    box scoring near the threshold may be shown and wrong, or hidden and right."""
    return min((abs(b.score - min_score) for b in result.boxes), default=1.0)


def least_sure_first(results: Sequence[Detections], min_score: float) -> list[int]:
    """The results' indices, readable images least sure first, the unreadable last."""
    return sorted(
        range(len(results)),
        key=lambda i: (not results[i].ok, sureness(results[i], min_score)),
    )
