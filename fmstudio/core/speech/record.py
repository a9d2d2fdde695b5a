"""Recording: audio sources, a WAV writer that is valid after every block, and the record job
with live transcription.

Audio input sits behind `AudioSource` (float32 mono blocks at a sample rate), so tests play a
file as if it were a microphone and machines without PortAudio still transcribe files.
"""

from __future__ import annotations

import struct
import threading
import time
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Protocol

import numpy as np

from fmstudio.core import paths
from fmstudio.core.data.audio import SAMPLE_RATE, load_audio
from fmstudio.core.events import CancelToken, Event, Log, run_to_end
from fmstudio.core.speech.microphone import BLOCK_SECONDS
from fmstudio.core.speech.models import SpeechModel
from fmstudio.core.speech.transcribe import Options, Transcript, transcribe_audio

LIVE_STEP_SECONDS = 2.0
LIVE_MARGIN_SECONDS = 1.5
LIVE_MAX_WINDOW_SECONDS = 20.0


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


class AudioSource(Protocol):
    sample_rate: int

    def blocks(self, stop: threading.Event) -> Iterator[np.ndarray]:
        """Float32 mono blocks until `stop` is set (or the source ends)."""
        ...


class FileSource:
    """Plays an audio file as if it were a microphone (tests, and re-recording a file)."""

    def __init__(self, path: str | Path, realtime: float = 0.0) -> None:
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


class WavWriter:
    """16-bit mono PCM WAV whose header is rewritten after every block: a crash keeps the audio."""

    def __init__(self, path: Path, sample_rate: int) -> None:
        self.path = path
        self.sample_rate = sample_rate
        self.frames = 0
        path.parent.mkdir(parents=True, exist_ok=True)
        self._fh: BinaryIO = path.open("wb")
        self._write_header()

    def _write_header(self) -> None:
        data_bytes = self.frames * 2
        self._fh.seek(0)
        self._fh.write(
            b"RIFF"
            + struct.pack("<I", 36 + data_bytes)
            + b"WAVEfmt "
            + struct.pack("<IHHIIHH", 16, 1, 1, self.sample_rate, self.sample_rate * 2, 2, 16)
            + b"data"
            + struct.pack("<I", data_bytes)
        )
        self._fh.seek(0, 2)

    def write(self, block: np.ndarray) -> None:
        pcm = (np.clip(block, -1.0, 1.0) * 32767).astype("<i2")
        self._fh.write(pcm.tobytes())
        self.frames += len(pcm)
        self._write_header()
        self._fh.flush()

    def close(self) -> None:
        self._fh.close()


def new_recording_path() -> Path:
    folder = paths.ensure(paths.recordings_dir())
    stamp = time.strftime("%Y%m%d-%H%M%S")
    path = folder / f"recording-{stamp}.wav"
    n = 2
    while path.exists():
        path = folder / f"recording-{stamp}-{n}.wav"
        n += 1
    return path


def list_recordings() -> list[Path]:
    folder = paths.recordings_dir()
    return sorted(folder.glob("*.wav"), reverse=True) if folder.is_dir() else []


def _resample(audio: np.ndarray, rate: int) -> np.ndarray:
    if rate == SAMPLE_RATE:
        return audio
    positions = np.arange(0, len(audio), rate / SAMPLE_RATE)
    return np.interp(positions, np.arange(len(audio)), audio).astype(np.float32)


class _Live:
    """Rolling-window live transcription with committed and tentative text."""

    def __init__(self, model: SpeechModel, options: Options) -> None:
        self.model = model
        self.options = Options(options.language, 1, options.vad, False)
        self.committed: list[str] = []
        self.committed_until = 0.0

    def update(self, audio: np.ndarray, now: float, cancel: CancelToken) -> LiveText:
        start = int(self.committed_until * SAMPLE_RATE)
        window = audio[start:]
        segments = run_to_end(transcribe_audio(self.model, window, self.options, cancel)).segments
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
        return LiveText(
            " ".join(t for t in self.committed if t), " ".join(t for t in tentative if t)
        )


def record(
    source: AudioSource,
    stop: threading.Event,
    cancel: CancelToken | None = None,
    path: Path | None = None,
    live_model: SpeechModel | None = None,
    final_model: SpeechModel | None = None,
    options: Options | None = None,
) -> Generator[Event, None, tuple[Path, Transcript | None]]:
    """Record until `stop` is set, saving the WAV as it goes; then transcribe the whole of it.

    Cancel abandons the transcription, never the recording: the WAV stays on disk.
    """
    cancel = cancel or CancelToken()
    options = options or Options()
    path = path or new_recording_path()
    writer = WavWriter(path, source.sample_rate)
    yield Log(f"Recording to {path}")
    chunks: list[np.ndarray] = []
    live = _Live(live_model, options) if live_model is not None else None
    next_live = LIVE_STEP_SECONDS
    try:
        for block in source.blocks(stop):
            if cancel.cancelled:
                stop.set()
            block = np.asarray(block, dtype=np.float32).reshape(-1)
            writer.write(block)
            chunks.append(block)
            elapsed = writer.frames / source.sample_rate
            yield Level(
                float(np.sqrt(np.mean(block**2))) if block.size else 0.0,
                float(np.abs(block).max()) if block.size else 0.0,
                elapsed,
            )
            if live is not None and elapsed >= next_live:
                next_live = elapsed + LIVE_STEP_SECONDS
                audio = _resample(np.concatenate(chunks), source.sample_rate)
                yield live.update(audio, elapsed, cancel)
    finally:
        writer.close()
    cancel.raise_if_cancelled()
    if final_model is None or writer.frames == 0:
        return path, None
    yield Log("Transcribing the whole recording…")
    transcript = yield from transcribe_audio(
        final_model, load_audio(path), options, cancel, str(path)
    )
    return path, transcript
