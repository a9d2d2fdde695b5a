"""What a sound model makes of a recording, and what every sound model offers the classify job
(the bundled tagger and a trained classifier alike)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np


@dataclass(frozen=True)
class Heard:
    scores: np.ndarray
    """(windows, classes) scores in 0-1."""
    weights: np.ndarray | None = None
    """How much each window counts in the recording's summary (None: all alike)."""


class SoundModel(Protocol):
    """A model that hears a recording window by window."""

    name: str
    labels: list[str]
    runtime: str
    sample_rate: int
    """The rate `hear` expects its mono samples at."""
    window_s: float
    hop_s: float
    """How long each window is, and how far apart their starts are, in seconds."""

    def hear(self, samples: np.ndarray) -> Heard: ...
