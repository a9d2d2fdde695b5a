"""The microphone as an `AudioSource`, and why recording may be off: no numpy or PortAudio
is imported until a recording starts, so the window opens fast on any machine."""

from __future__ import annotations

import queue
import threading
from collections.abc import Generator, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from fmstudio.core.events import Activity, CancelToken, Event, in_background, wait_for

if TYPE_CHECKING:
    import numpy as np

    from fmstudio.core.data.sources import InputId

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


def input_devices() -> list[tuple[InputId, str]]:
    import sounddevice as sd

    return [(i, d["name"]) for i, d in enumerate(sd.query_devices()) if d["max_input_channels"] > 0]


@dataclass(frozen=True)
class Inputs:
    """The microphones found, or why recording is off on this machine."""

    unavailable: str | None
    devices: list[tuple[InputId, str]] = field(default_factory=list)
    """Microphones (PortAudio), then the computer's own sound where it can be recorded."""
    note: str | None = None
    """What is missing to record the computer's sound, when it cannot be."""


PROBE_PATIENCE_S = 10.0
"""PortAudio starts in well under a second; one that has not answered by then is hung (a
stale JACK lock left by a crashed program does that) and stays hung until the app restarts."""


def probe_inputs(*, cancel: CancelToken | None = None) -> Generator[Event, None, Inputs]:
    """A job for the window: initialising PortAudio takes a moment, so it runs on the worker,
    and on a thread of its own that neither a Stop nor a closing window waits for."""
    yield Activity("Looking for microphones…")
    found = in_background(_inputs, "microphone probe")
    try:
        return wait_for(found, cancel, timeout=PROBE_PATIENCE_S)
    except TimeoutError:
        return Inputs(
            f"the sound system did not answer within {PROBE_PATIENCE_S:.0f} s (PortAudio did "
            "not start); restart fmstudio to try again"
        )


def _inputs() -> Inputs:
    from fmstudio.core.data.system_audio import system_inputs

    reason = recording_unavailable_reason()
    system, note = system_inputs()
    if reason and not system:
        return Inputs(reason, note=note)
    return Inputs(None, ([] if reason else input_devices()) + list(system), note)


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
