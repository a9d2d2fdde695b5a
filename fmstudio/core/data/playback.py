"""Play a stretch of audio through the default output: a transcript's segment the user
clicked, a recording a model got wrong."""

from __future__ import annotations

import time
from collections.abc import Generator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fmstudio.core.data.audio import SAMPLE_RATE, load_audio
from fmstudio.core.errors import FmError
from fmstudio.core.events import CancelToken, Event, Log


@dataclass(frozen=True)
class Playing(Event):
    """Where playback is now, in seconds from the start of the audio (about every 50 ms):
    the window highlights the word being said."""

    position_s: float


@dataclass(frozen=True)
class Playback:
    """Play part of decoded 16 kHz audio, or of a file."""

    samples: Any = field(repr=False)
    """The decoded samples, or a file's path (decoded on the worker): a transcript restored
    from an earlier session, a recording in an evaluation."""
    start: float = 0.0
    end: float | None = None
    """Seconds; None: to the end."""


def play(request: Playback, *, cancel: CancelToken | None = None) -> Generator[Event, None, None]:
    """Play `request.samples[start:end]` until it ends or the job is cancelled."""
    cancel = cancel or CancelToken()
    samples = request.samples
    if isinstance(samples, (str, Path)):
        samples = load_audio(samples)
    start = int(request.start * SAMPLE_RATE)
    end = len(samples) if request.end is None else int(request.end * SAMPLE_RATE)
    try:
        import sounddevice as sd

        sd.play(samples[start:end], SAMPLE_RATE)
    except Exception as exc:  # PortAudio's errors are not a stable type; playback is optional
        raise FmError(f"cannot play audio: {exc}") from exc
    yield Log(f"Playing {start / SAMPLE_RATE:.1f}–{end / SAMPLE_RATE:.1f} s")
    began = time.monotonic()
    deadline = began + (end - start) / SAMPLE_RATE + 1.0
    try:
        while time.monotonic() < deadline and not cancel.cancelled:
            time.sleep(0.05)
            yield Playing(min(start / SAMPLE_RATE + time.monotonic() - began, end / SAMPLE_RATE))
    finally:
        sd.stop()
