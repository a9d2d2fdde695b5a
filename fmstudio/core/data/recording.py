"""Writing what a microphone gives as it comes: a WAV file that is valid after every block
(a crash or a full disk keeps what was recorded), and resampling to 16 kHz block by block.
Shared by the tasks that listen (speech's recordings, sound's live tags)."""

from __future__ import annotations

import struct
from pathlib import Path
from typing import BinaryIO

import numpy as np

from fmstudio.core.data.audio import SAMPLE_RATE
from fmstudio.core.data.capture import Level
from fmstudio.core.events import Log


class WavWriter:
    """16-bit mono PCM WAV whose header is rewritten after every block: a crash keeps the audio."""

    def __init__(self, path: Path, sample_rate: int) -> None:
        self.path = path
        self.sample_rate = sample_rate
        self.frames = 0
        self.failed = False
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
        try:
            self._fh.write(pcm.tobytes())
            self._fh.flush()
        except OSError:
            self.failed = True
            raise
        self.frames += len(pcm)
        self._write_header()
        self._fh.flush()

    def close(self) -> None:
        """Close the file; after a failed write, bytes that could not be written are dropped
        (the header counts only whole blocks that were)."""
        try:
            self._fh.close()
        except OSError:
            if not self.failed:
                raise


class StreamResampler:
    """Linear resampling to `target` (16 kHz unless asked), block by block, with the same
    output as resampling the whole recording at once (live text's and live sounds' input;
    the final pass uses PyAV's resampler)."""

    def __init__(self, rate: int, target: int = SAMPLE_RATE) -> None:
        self.step = rate / target
        self._next = 0.0  # position of the next output sample, in input samples
        self._tail = np.zeros(0, dtype=np.float32)  # the last input sample, for interpolation
        self._tail_at = 0  # input index of `_tail[0]`

    def push(self, block: np.ndarray) -> np.ndarray:
        if self.step == 1.0:
            return block
        data = np.concatenate([self._tail, block])
        end = self._tail_at + len(data) - 1
        positions = np.arange(self._next, end, self.step)
        out: np.ndarray = np.interp(positions - self._tail_at, np.arange(len(data)), data)
        if len(positions):
            self._next = float(positions[-1] + self.step)
        self._tail, self._tail_at = data[-1:], end
        return out.astype(np.float32)


def level(block: np.ndarray, elapsed: float) -> Level:
    """The block's loudness (RMS and peak) and the time recorded so far."""
    if not block.size:
        return Level(0.0, 0.0, elapsed)
    return Level(float(np.sqrt(np.mean(block**2))), float(np.abs(block).max()), elapsed)


def write_block(writer: WavWriter, block: np.ndarray, rate: int, what: str) -> Log | None:
    """Append a block to the WAV; when the disk refuses it (full, unplugged), the warning that
    `what` ("The recording", "Listening") stopped, with what was written kept."""
    try:
        writer.write(block)
    except OSError as exc:
        return Log(
            f"{what} stopped at {writer.frames / rate:.1f} s: could not write {writer.path} "
            f"({exc.strerror or exc}); what was recorded is kept.",
            "warning",
        )
    return None
