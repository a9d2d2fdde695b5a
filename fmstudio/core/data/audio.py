"""Decode audio files to mono float32, at 16 kHz (Whisper's and YAMNet's rate) unless asked.

PyAV (through faster-whisper) reads wav, flac, ogg, mp3, m4a, AIFF and the sound of videos
(mp4, mkv, mov, webm, avi); a file it cannot read becomes an `InputFileError` naming the file
and the reason.
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
SHORTEST_CLIP_S = 0.03
"""A training clip shorter than this is not one frame of the sound network (23 ms)."""
SHORT_CLIP_S = 0.25
"""Clips shorter than this are heard padded with silence, and the scan says so: real drum
samples are that short (Debian's hydrogen-drumkits has kicks of 0.06 s), a cut-off recording
may be too."""
SILENT_PEAK = 1e-4
"""-80 dBFS: a clip whose loudest sample is quieter is silence (or digital zero)."""


def _reason(exc: Exception) -> str:
    """FFmpeg's own words, lower-case, without its error number or the path again: "invalid
    data found when processing input", not "InvalidDataError: [Errno 1094995529] …"."""
    said = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
    return said[:1].lower() + said[1:]


def load_audio(
    path: str | Path, sample_rate: int = SAMPLE_RATE, data: bytes | None = None
) -> np.ndarray:
    """Mono float32 samples at `sample_rate` (16 kHz, Whisper's, unless asked), resampled and
    down-mixed by PyAV (libswresample); `data`: the file's bytes, already read."""
    path = Path(path)
    if data is None:
        check_input_file(path, "an audio file")
    import io

    import numpy as np
    from faster_whisper import decode_audio

    source: str | io.BytesIO = str(path) if data is None else io.BytesIO(data)
    try:
        samples = decode_audio(source, sampling_rate=sample_rate)
    except IndexError as exc:  # PyAV's container.decode(audio=0) on a file with no audio stream
        raise InputFileError(path, "no audio track in the file (a video without sound?)") from exc
    except Exception as exc:  # PyAV raises its own error types for every kind of bad input
        raise InputFileError(path, f"not a readable audio file ({_reason(exc)})") from exc
    if samples.size == 0:
        raise InputFileError(path, "no audio in the file (truncated or empty stream)")
    return np.asarray(samples, dtype=np.float32)


def read_example(path: Path, data: bytes) -> float:
    """Check that a class file is a clip to learn from (the sound task's `read_example`):
    it decodes, lasts at least `SHORTEST_CLIP_S` and is not silent. Returns its seconds;
    raises `InputFileError` with the reason."""
    samples = load_audio(path, data=data)
    seconds = samples.size / SAMPLE_RATE
    if seconds < SHORTEST_CLIP_S:
        raise InputFileError(
            path, f"too short ({seconds:.2f} s; a clip needs at least {SHORTEST_CLIP_S} s)"
        )
    if float(abs(samples).max()) < SILENT_PEAK:
        raise InputFileError(path, "silent (nothing louder than -80 dBFS)")
    return seconds
