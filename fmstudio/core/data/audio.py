"""Decode audio files to 16 kHz mono float32, the input Whisper expects.

PyAV (through faster-whisper) reads wav, flac, ogg, mp3, m4a and webm; a file it cannot
read becomes an `InputFileError` naming the file and the reason.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from fmstudio.core.data.files import check_input_file
from fmstudio.core.data.suffixes import AUDIO_SUFFIXES as AUDIO_SUFFIXES
from fmstudio.core.errors import InputFileError

if TYPE_CHECKING:
    import numpy as np

SAMPLE_RATE = 16_000


def _reason(exc: Exception) -> str:
    """FFmpeg's own words, lower-case, without its error number or the path again: "invalid
    data found when processing input", not "InvalidDataError: [Errno 1094995529] …"."""
    said = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
    return said[:1].lower() + said[1:]


def load_audio(path: str | Path) -> np.ndarray:
    """Mono float32 samples at 16 kHz, resampled by PyAV (libswresample)."""
    path = Path(path)
    check_input_file(path, "an audio file")
    import numpy as np
    from faster_whisper import decode_audio

    try:
        samples = decode_audio(str(path), sampling_rate=SAMPLE_RATE)
    except Exception as exc:  # PyAV raises its own error types for every kind of bad input
        raise InputFileError(path, f"not a readable audio file ({_reason(exc)})") from exc
    if samples.size == 0:
        raise InputFileError(path, "no audio in the file (truncated or empty stream)")
    return np.asarray(samples, dtype=np.float32)
