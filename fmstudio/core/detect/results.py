"""What the detect job yields: labelled boxes per image (light: the window and CLI read it)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

MIN_SCORE = 0.3
"""The default threshold: below it the COCO detector's boxes on real photos were mostly
wrong (seen on scikit-image's sample photos)."""
KEEP_SCORE = 0.05
"""Boxes kept for the threshold slider: lower ones are never worth showing."""


@dataclass(frozen=True)
class Box:
    """One object: its class, the detector's score, and its corners in image pixels."""

    label: str
    score: float
    box: tuple[float, float, float, float]
    """x1, y1, x2, y2, with (0, 0) the image's top-left corner."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "score": round(self.score, 4),
            "box": [round(v, 1) for v in self.box],
        }


@dataclass(frozen=True)
class Detections:
    """One image's boxes, best first, or why it could not be read."""

    path: str
    boxes: tuple[Box, ...] = ()
    error: str | None = None
    size: tuple[int, int] = (0, 0)
    """The image's width and height in pixels."""

    @property
    def ok(self) -> bool:
        return self.error is None

    def above(self, min_score: float) -> tuple[Box, ...]:
        return tuple(b for b in self.boxes if b.score >= min_score)

    def counts(self, min_score: float = 0.0) -> Counter[str]:
        """How many objects of each class score at least `min_score`."""
        return Counter(b.label for b in self.above(min_score))

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"path": self.path, "width": self.size[0], "height": self.size[1]}
        if self.error is not None:
            out["error"] = self.error
        else:
            out["boxes"] = [b.to_dict() for b in self.boxes]
        return out
