"""What a job that records says while it records, and where its recordings go. Plain data and
no numpy, so the window recognises the events at once; shared by the tasks that listen
(speech's recordings, sound's live listening)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from fmstudio.core import paths
from fmstudio.core.events import Event


@dataclass(frozen=True)
class Level(Event):
    """Loudness of the latest block (RMS and peak in [0, 1]) and the time recorded so far."""

    rms: float
    peak: float
    elapsed_s: float


@dataclass(frozen=True)
class CaptureEnded(Event):
    """The recording has stopped (asked to, or its source ended) and is saved; what the job
    makes of the whole recording, if anything, follows."""

    seconds: float


def new_recording_path() -> Path:
    """A new WAV in the recordings folder, named for now (never over an earlier one)."""
    folder = paths.ensure(paths.recordings_dir())
    stamp = time.strftime("%Y%m%d-%H%M%S")
    path = folder / f"recording-{stamp}.wav"
    n = 2
    while path.exists():
        path = folder / f"recording-{stamp}-{n}.wav"
        n += 1
    return path
