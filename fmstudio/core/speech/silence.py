"""Silence gives no words: Whisper, fed silence or faint noise, writes "You", "Thank you." or
rows of dots. A segment whose audio never rises above a speaking level, or whose text has no
letters or digits, is dropped; audio that is silent throughout is not decoded at all.
"""

from __future__ import annotations

import numpy as np

from fmstudio.core.data.audio import SAMPLE_RATE

FRAME = SAMPLE_RATE * 30 // 1000
GATE_DBFS = -55.0
"""Below this, the loudest 30 ms holds no speech: digital silence and a quiet microphone's hiss
(-60 dBFS). Measured (benchmarks/silence_quality.py): at -45 dBFS speech turned down to a
-35 dBFS peak lost words; at -55 dBFS none of the 40 sentences did."""


def frame_rms(samples: np.ndarray) -> np.ndarray:
    """The RMS of each whole 30 ms frame (of the whole of a shorter, non-empty input)."""
    usable = samples[: samples.size - samples.size % FRAME] if samples.size >= FRAME else samples
    frames = usable.reshape(-1, min(FRAME, usable.size)).astype(np.float64)
    rms: np.ndarray = np.sqrt((frames**2).mean(axis=1))
    return rms


def loudest_dbfs(samples: np.ndarray) -> float:
    """The RMS level of the loudest 30 ms frame, in dB below full scale (-inf for silence)."""
    if samples.size == 0:
        return float("-inf")
    peak_rms = float(frame_rms(samples).max())
    return 20 * np.log10(peak_rms) if peak_rms > 0 else float("-inf")


def is_silent(samples: np.ndarray) -> bool:
    return loudest_dbfs(samples) < GATE_DBFS


def spoken(audio: np.ndarray, start: float, end: float, text: str) -> bool:
    """Whether a decoded segment holds speech: words in its text and sound in its span."""
    if not any(ch.isalnum() for ch in text):
        return False
    first = max(0, int(start * SAMPLE_RATE))
    span = audio[first : max(first, int(end * SAMPLE_RATE))]
    return span.size > 0 and not is_silent(span)


ONSET_BELOW_LOUDEST_DB = 30.0
"""A frame this far under the segment's loudest one is not yet its speech (breath, hiss)."""
ONSET_MARGIN_S = 0.1


def onset(audio: np.ndarray, start: float, end: float) -> float:
    """When a segment's sound begins. Whisper often starts the first segment at 0:00 when
    the speech starts seconds later (a recording's lead-in), and subtitles then show early:
    the start moves to the first 30 ms frame near the segment's speaking level, less a
    tenth of a second, and never earlier than Whisper said."""
    first = max(0, int(start * SAMPLE_RATE))
    span = audio[first : max(first, int(end * SAMPLE_RATE))]
    if span.size < FRAME:
        return start
    levels = 20 * np.log10(np.maximum(frame_rms(span), 1e-12))
    gate = max(GATE_DBFS, float(levels.max()) - ONSET_BELOW_LOUDEST_DB)
    loud = np.flatnonzero(levels >= gate)
    if loud.size == 0:
        return start
    return max(start, start + float(loud[0]) * FRAME / SAMPLE_RATE - ONSET_MARGIN_S)
