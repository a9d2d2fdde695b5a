"""Recording: the record job with live transcription (the WAV writer that is valid after every
block and the block resampler are in `core/data/recording.py`).

Audio comes from an `AudioSource` (`core/data/sources.py`): the microphone, or in tests a file
played as one. Live text re-transcribes only a bounded window of the newest audio, from a buffer
that is resampled once as blocks arrive, so each step costs the same however long the
recording grows.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Generator
from dataclasses import replace

import numpy as np

from fmstudio.core.data.audio import SAMPLE_RATE, load_audio
from fmstudio.core.data.capture import CaptureEnded, new_recording_path
from fmstudio.core.data.inputs import open_input
from fmstudio.core.data.recording import StreamResampler, WavWriter, level, write_block
from fmstudio.core.data.sources import AudioSource
from fmstudio.core.events import Activity, CancelToken, Event, Log, run_to_end
from fmstudio.core.speech.events import LiveText
from fmstudio.core.speech.models import SpeechModel
from fmstudio.core.speech.requests import Record, SpeechOptions
from fmstudio.core.speech.transcribe import load_speech_model, transcribe_audio
from fmstudio.core.speech.transcripts import Recording

LIVE_STEP_SECONDS = 0.5
"""New audio between live passes; a pass that took longer than this waits as long as it took,
so live text takes at most about half the CPU (benchmarks/bench_live_text.py)."""
LIVE_MARGIN_SECONDS = 1.5
LIVE_MAX_WINDOW_SECONDS = 20.0


class AudioBuffer:
    """The newest samples, appended block by block (amortised: no re-joining). Positions are
    counted from the start of the recording; `drop_before` forgets what live text has
    committed, so memory stays bounded however long the recording grows (the final pass reads
    the WAV)."""

    def __init__(self) -> None:
        self._data = np.zeros(SAMPLE_RATE * 10, dtype=np.float32)
        self._first = 0  # the recording position of `_data[0]`
        self.size = 0  # samples appended since the recording started

    def append(self, block: np.ndarray) -> None:
        held = self.size - self._first
        needed = held + len(block)
        if needed > len(self._data):
            grown = np.zeros(max(needed, 2 * len(self._data)), dtype=np.float32)
            grown[:held] = self._data[:held]
            self._data = grown
        self._data[held:needed] = block
        self.size += len(block)

    def since(self, start: int) -> np.ndarray:
        return self._data[max(0, start - self._first) : self.size - self._first]

    @property
    def nbytes(self) -> int:
        return int(self._data.nbytes)

    def drop_before(self, position: int) -> None:
        """Forget the samples before `position`, once that frees at least a buffer's worth."""
        drop = min(position, self.size) - self._first
        if drop < len(self._data) // 2:
            return
        held = self.size - self._first - drop
        self._data[:held] = self._data[drop : drop + held]
        self._first += drop


class LiveTranscriber:
    """Rolling-window live transcription with committed and tentative text."""

    def __init__(self, model: SpeechModel, options: SpeechOptions) -> None:
        self.model = model
        self.options = replace(options, beam_size=1, word_timestamps=False, speakers=None)
        self.committed: list[str] = []
        self.committed_until = 0.0

    def update(self, audio: AudioBuffer, now: float, cancel: CancelToken) -> LiveText:
        window = audio.since(int(self.committed_until * SAMPLE_RATE))
        job = transcribe_audio(self.model, window, self.options, cancel, quick=True)
        segments = run_to_end(job).segments
        tentative: list[str] = []
        settled_until = self.committed_until
        force = len(window) / SAMPLE_RATE > LIVE_MAX_WINDOW_SECONDS
        for i, seg in enumerate(segments):
            absolute_end = self.committed_until + seg.end
            settled = absolute_end < now - LIVE_MARGIN_SECONDS or (force and i < len(segments) - 1)
            if settled and not tentative:
                self.committed.append(seg.text)
                settled_until = absolute_end
            else:
                tentative.append(seg.text)
        self.committed_until = settled_until
        audio.drop_before(int(settled_until * SAMPLE_RATE))
        return LiveText(
            " ".join(t for t in self.committed if t), " ".join(t for t in tentative if t)
        )


class _Model:
    """The request's model, loaded when first needed: recording starts at once, and the
    microphone's blocks queue up while the model loads (about 3 s the first time)."""

    def __init__(self, request: Record, cancel: CancelToken) -> None:
        self.request, self.cancel = request, cancel
        self.loaded: SpeechModel | None = None

    def get(self) -> Generator[Event, None, SpeechModel | None]:
        if self.loaded is None and self.request.model is not None:
            self.loaded = yield from load_speech_model(
                self.request.model, self.request.device, self.cancel
            )
        return self.loaded


def _capture(
    source: AudioSource,
    writer: WavWriter,
    model: _Model,
    stop: threading.Event,
    cancel: CancelToken,
) -> Generator[Event, None, None]:
    """Write blocks until `stop` (or cancel); levels for each, live text every step."""
    resampler, audio = StreamResampler(source.sample_rate), AudioBuffer()
    live: LiveTranscriber | None = None
    wants_live = model.request.live and model.request.model is not None
    next_live = LIVE_STEP_SECONDS
    for block in source.blocks(stop):
        if cancel.cancelled:
            stop.set()
        block = np.asarray(block, dtype=np.float32).reshape(-1)
        failed = write_block(writer, block, source.sample_rate, "The recording")
        if failed is not None:  # disk full, unplugged drive: keep what is written, go on
            stop.set()
            yield failed
            return
        elapsed = writer.frames / source.sample_rate
        yield level(block, elapsed)
        if not wants_live:
            continue
        audio.append(resampler.push(block))
        if elapsed >= next_live:
            next_live = elapsed + LIVE_STEP_SECONDS
            loaded = yield from model.get()
            live = live or (LiveTranscriber(loaded, model.request.options) if loaded else None)
            if live is not None:
                started = time.monotonic()
                yield live.update(audio, elapsed, cancel)
                next_live = elapsed + max(LIVE_STEP_SECONDS, time.monotonic() - started)


def record(
    request: Record, *, stop: threading.Event, cancel: CancelToken | None = None
) -> Generator[Event, None, Recording]:
    """Record until `stop` is set, saving the WAV as it goes; then transcribe the whole of it.

    `stop` ends the recording and goes on to the transcription; `cancel` abandons the
    transcription, never the recording: the WAV stays on disk either way.
    """
    cancel = cancel or CancelToken()
    source = request.source or open_input(request.input_device)
    path = request.path or new_recording_path()
    writer = WavWriter(path, source.sample_rate)
    yield Log(f"Recording to {path}")
    model = _Model(request, cancel)
    try:
        yield from _capture(source, writer, model, stop, cancel)
    finally:
        writer.close()
    yield CaptureEnded(writer.frames / source.sample_rate)
    cancel.raise_if_cancelled()
    loaded = yield from model.get()
    if loaded is None or writer.frames == 0:
        return Recording(path)
    yield Activity("Transcribing the whole recording…")
    audio = load_audio(path)
    transcript = yield from transcribe_audio(loaded, audio, request.options, cancel, str(path))
    return Recording(path, replace(transcript, audio=audio))  # kept for segment playback
