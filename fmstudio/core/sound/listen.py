"""Live listening: the microphone's current sounds every half second, the recording saved as it
goes, and, when it stops, the whole recording heard as a dropped file is (its row in the table).

Each step hears only the newest window (0.96 s for YAMNet, 2.3 s for a trained classifier), so
a step costs the same however long the recording grows; a step comes every `LIVE_STEP_S` (or
every hop between the model's windows, when that is shorter), and one that took longer than
that waits as long as it took, so listening takes at most about half the CPU.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Generator
from pathlib import Path

import numpy as np

from fmstudio.core.data.audio import load_audio
from fmstudio.core.data.capture import CaptureEnded, new_recording_path
from fmstudio.core.data.inputs import open_input
from fmstudio.core.data.recording import StreamResampler, WavWriter, level, write_block
from fmstudio.core.data.sources import AudioSource
from fmstudio.core.events import Activity, CancelToken, Event, Log
from fmstudio.core.sound.classify import load_sound_model, named
from fmstudio.core.sound.heard import SoundModel
from fmstudio.core.sound.requests import ClassifySounds, Listen
from fmstudio.core.sound.results import LiveSounds, SoundResult
from fmstudio.core.sound.timeline import top_sounds

LIVE_STEP_S = 0.5
"""What is heard now changes at least this often: within a second, whatever the model."""


class Newest:
    """The newest `size` samples, block by block."""

    def __init__(self, size: int) -> None:
        self.data = np.zeros(0, dtype=np.float32)
        self.size = size

    def append(self, block: np.ndarray) -> None:
        self.data = np.concatenate([self.data, block])[-self.size :]


def _capture(
    source: AudioSource,
    writer: WavWriter,
    model: SoundModel,
    request: Listen,
    stop: threading.Event,
    cancel: CancelToken,
) -> Generator[Event, None, None]:
    """Write blocks until `stop` (or cancel); a level for each, the current sounds each hop."""
    resampler = StreamResampler(source.sample_rate, model.sample_rate)
    newest = Newest(int(model.window_s * model.sample_rate))
    step = min(model.hop_s, LIVE_STEP_S)
    next_step = step
    for block in source.blocks(stop):
        if cancel.cancelled:
            stop.set()
        block = np.asarray(block, dtype=np.float32).reshape(-1)
        failed = write_block(writer, block, source.sample_rate, "Listening")
        if failed is not None:  # disk full, unplugged drive: keep what is written, go on
            stop.set()
            yield failed
            return
        elapsed = writer.frames / source.sample_rate
        yield level(block, elapsed)
        newest.append(resampler.push(block))
        if elapsed >= next_step:
            started = time.monotonic()
            heard = model.hear(newest.data)
            yield LiveSounds(top_sounds(heard.scores, model.labels, request.top_k), elapsed)
            next_step = elapsed + max(step, time.monotonic() - started)


def listen(
    request: Listen, *, stop: threading.Event, cancel: CancelToken | None = None
) -> Generator[Event, None, SoundResult | None]:
    """Listen until `stop` is set, saving the WAV as it goes; then hear the whole of it.

    `cancel` abandons hearing the whole recording, never the recording: the WAV stays on disk.
    """
    cancel = cancel or CancelToken()
    model = yield from load_sound_model(request.model, request.device, cancel)
    source = request.source or open_input(request.input_device)
    path = request.path or new_recording_path()
    writer = WavWriter(path, source.sample_rate)
    yield Log(f"Recording to {path}")
    try:
        yield from _capture(source, writer, model, request, stop, cancel)
    finally:
        writer.close()
    yield CaptureEnded(writer.frames / source.sample_rate)
    cancel.raise_if_cancelled()
    if writer.frames == 0:
        return None
    yield Activity("Hearing the whole recording…")
    whole = ClassifySounds((str(path),), model, top_k=request.top_k)
    return named(model, Path(path), load_audio(path, model.sample_rate), whole)
