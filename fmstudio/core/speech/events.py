"""Events of the record job: plain data, so the window recognises them without numpy."""

from __future__ import annotations

from dataclasses import dataclass

from fmstudio.core.events import Event


@dataclass(frozen=True)
class Level(Event):
    """Loudness of the latest block (RMS and peak in [0, 1]) and the time recorded so far."""

    rms: float
    peak: float
    elapsed_s: float


@dataclass(frozen=True)
class LiveText(Event):
    """Live transcript: `committed` will not change; `tentative` may, as more audio arrives."""

    committed: str
    tentative: str


@dataclass(frozen=True)
class CaptureEnded(Event):
    """The recording has stopped (asked to, or its source ended) and is saved; the final
    transcription, if any, follows."""

    seconds: float
