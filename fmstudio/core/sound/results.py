"""A recording's sounds: the classifier family's result, with the timeline beside it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fmstudio.core.classify.results import ItemResult
from fmstudio.core.sound.timeline import SoundSegment


@dataclass(frozen=True)
class SoundResult(ItemResult):
    """Its top sounds (the `predictions`) and which sound when."""

    segments: tuple[SoundSegment, ...] = ()
    duration: float = 0.0
    """Seconds of audio."""

    def to_json(self) -> dict[str, Any]:
        out = super().to_json()
        out["duration"] = round(self.duration, 2)
        out["timeline"] = [s.to_json() for s in self.segments]
        return out
