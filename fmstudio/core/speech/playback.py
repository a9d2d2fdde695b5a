"""Play a stretch of decoded audio through the default output (a segment the user clicked)."""

from __future__ import annotations

import time
from collections.abc import Generator
from pathlib import Path

from fmstudio.core.data.audio import SAMPLE_RATE, load_audio
from fmstudio.core.errors import FmError
from fmstudio.core.events import CancelToken, Event, Log
from fmstudio.core.speech.requests import Playback


def play(request: Playback, *, cancel: CancelToken | None = None) -> Generator[Event, None, None]:
    """Play `request.samples[start:end]` until it ends or the job is cancelled."""
    cancel = cancel or CancelToken()
    start, end = (int(t * SAMPLE_RATE) for t in (request.start, request.end))
    samples = request.samples
    if isinstance(samples, (str, Path)):  # a transcript kept from an earlier session
        samples = load_audio(samples)
    try:
        import sounddevice as sd

        sd.play(samples[start:end], SAMPLE_RATE)
    except Exception as exc:  # PortAudio's errors are not a stable type; playback is optional
        raise FmError(f"cannot play audio: {exc}") from exc
    yield Log(f"Playing {request.start:.1f}–{request.end:.1f} s")
    deadline = time.monotonic() + (end - start) / SAMPLE_RATE + 1.0
    try:
        while time.monotonic() < deadline and not cancel.cancelled:
            time.sleep(0.05)
    finally:
        sd.stop()
