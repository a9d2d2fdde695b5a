"""The microphone as an `AudioSource`, and why recording may be off: no numpy or PortAudio
is imported until a recording starts, so the window opens fast on any machine."""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

BLOCK_SECONDS = 0.1


def recording_unavailable_reason() -> str | None:
    """Why recording is off on this machine, or None when a microphone can be used."""
    try:
        import sounddevice as sd
    except OSError as exc:
        return f"PortAudio is not installed ({exc}); on Debian: apt-get install libportaudio2"
    try:
        devices = sd.query_devices()
    except Exception as exc:  # PortAudio errors are not a stable type
        return f"no audio devices ({exc})"
    if not any(d.get("max_input_channels", 0) > 0 for d in devices):
        return "no microphone or other input device was found"
    return None


def input_devices() -> list[tuple[int, str]]:
    import sounddevice as sd

    return [(i, d["name"]) for i, d in enumerate(sd.query_devices()) if d["max_input_channels"] > 0]


class MicrophoneSource:
    """A sounddevice input stream; the callback only queues blocks, never blocks itself."""

    def __init__(self, device: int | None = None, sample_rate: int | None = None) -> None:
        """Records at the device's own rate (many cannot do 16 kHz); Whisper's input is
        resampled from the saved WAV."""
        import sounddevice as sd

        self.device = device
        info = sd.query_devices(device, "input")
        self.sample_rate = int(sample_rate or info["default_samplerate"])

    def blocks(self, stop: threading.Event) -> Iterator[np.ndarray]:
        import sounddevice as sd

        pending: queue.Queue[np.ndarray] = queue.Queue()

        def callback(data: np.ndarray, frames: int, when: object, status: object) -> None:
            pending.put(data[:, 0].copy())

        with sd.InputStream(
            samplerate=self.sample_rate,
            channels=1,
            dtype="float32",
            device=self.device,
            blocksize=int(self.sample_rate * BLOCK_SECONDS),
            callback=callback,
        ):
            while not stop.is_set():
                try:
                    yield pending.get(timeout=0.2)
                except queue.Empty:
                    continue
        while not pending.empty():
            yield pending.get_nowait()
