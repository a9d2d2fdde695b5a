"""Where recorded audio comes from: the `AudioSource` interface and a file played as one.

The microphone (`microphone.MicrophoneSource`) and `FileSource` both give float32 mono blocks
at their own sample rate, so the tests record from a real file through the same code path,
and machines without PortAudio still record nothing but transcribe files.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from fmstudio.core.data.microphone import BLOCK_SECONDS

if TYPE_CHECKING:
    import numpy as np


class AudioSource(Protocol):
    sample_rate: int

    def blocks(self, stop: threading.Event) -> Iterator[np.ndarray]:
        """Float32 mono blocks until `stop` is set (or the source ends)."""
        ...


class FileSource:
    """Plays an audio file as if it were a microphone (the tests' microphone)."""

    def __init__(self, path: str | Path, realtime: float = 0.0) -> None:
        from fmstudio.core.data.audio import SAMPLE_RATE, load_audio

        self.audio = load_audio(path)
        self.sample_rate = SAMPLE_RATE
        self.realtime = realtime  # 1.0 = as fast as speech; 0 = as fast as possible

    def blocks(self, stop: threading.Event) -> Iterator[np.ndarray]:
        size = int(self.sample_rate * BLOCK_SECONDS)
        for start in range(0, len(self.audio), size):
            if stop.is_set():
                return
            if self.realtime:
                time.sleep(BLOCK_SECONDS / self.realtime)
            yield self.audio[start : start + size]
