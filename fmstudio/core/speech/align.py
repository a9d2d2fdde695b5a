"""Word times for a finished transcript, found without decoding it again.

Speakers are shared out word by word, so they need word times. Asking faster-whisper for them
(`word_timestamps=True`) changes where its 30-second windows start, and with them the words:
on a real call it gained an invented word. Here the plain pass's own tokens are aligned to the
audio with Whisper's cross-attention (faster-whisper's `find_alignment`, what its word times
use), so every word stays exactly as the plain pass wrote it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import numpy as np

from fmstudio.core.data.audio import SAMPLE_RATE
from fmstudio.core.speech.transcripts import Segment, Word

WINDOW_SECONDS = 30.0
"""Whisper's input: segments are aligned in groups that fit one window."""
LEAD_SECONDS = 0.2
"""Audio kept before a group's first segment: Whisper's segment starts are often late."""
PREPEND = "\"'“¿([{-"
APPEND = "\"'.。,，!！?？:：”)]}、"
"""Punctuation joined to the word beside it, as faster-whisper's word times join it."""


def can_align(whisper: Any) -> bool:
    """Whether the model is faster-whisper's (a torch fallback has no aligner)."""
    return hasattr(whisper, "find_alignment") and hasattr(whisper, "hf_tokenizer")


def align_words(
    whisper: Any, audio: np.ndarray, segments: Sequence[Segment], language: str | None
) -> list[Segment]:
    """`segments` with their words timed; the text of every segment is left as it is."""
    from faster_whisper.tokenizer import Tokenizer

    multilingual = bool(whisper.model.is_multilingual)
    tokenizer = Tokenizer(
        whisper.hf_tokenizer,
        multilingual,
        "transcribe",
        (language or "en") if multilingual else None,
    )
    aligned: list[Segment] = []
    for group in _groups(segments):
        aligned += _align_group(whisper, tokenizer, audio, group)
    return aligned


def _groups(segments: Sequence[Segment]) -> list[list[Segment]]:
    """Consecutive segments that fit one window from the first one's start."""
    groups: list[list[Segment]] = []
    for segment in segments:
        last = groups[-1] if groups else None
        if last and segment.end - last[0].start + LEAD_SECONDS <= WINDOW_SECONDS:
            last.append(segment)
        else:
            groups.append([segment])
    return groups


def _align_group(
    whisper: Any, tokenizer: Any, audio: np.ndarray, group: list[Segment]
) -> list[Segment]:
    from faster_whisper.audio import pad_or_trim
    from faster_whisper.transcribe import merge_punctuations

    offset = max(0.0, group[0].start - LEAD_SECONDS)
    first = int(offset * SAMPLE_RATE)
    chunk = audio[first : first + int(WINDOW_SECONDS * SAMPLE_RATE)]
    tokens = [tokenizer.encode(" " + s.text.strip()) if s.text.strip() else [] for s in group]
    flat = [t for ids in tokens for t in ids]
    if not flat or chunk.size < SAMPLE_RATE // 10:
        return list(group)
    features = whisper.feature_extractor(chunk)
    frames = features.shape[-1] - 1  # the extractor pads one frame past the audio
    encoded = whisper.encode(pad_or_trim(features[:, :frames]))
    (timings,) = whisper.find_alignment(tokenizer, [flat], encoded, frames)
    merge_punctuations(timings, PREPEND, APPEND)
    return [
        replace(segment, words=words) if _spells(words, segment) else segment
        for segment, words in zip(group, _share(timings, tokens, offset), strict=True)
    ]


def _spells(words: tuple[Word, ...], segment: Segment) -> bool:
    """Whether the words join into the segment's text (punctuation merged across two
    segments would move a word: that segment keeps no word times instead)."""
    return bool(words) and "".join(w.text for w in words).strip() == segment.text.strip()


def _share(
    timings: list[dict[str, Any]], tokens: list[list[int]], offset: float
) -> list[tuple[Word, ...]]:
    """The aligned words of each segment, counted off by its tokens."""
    shared: list[tuple[Word, ...]] = []
    index = 0
    for ids in tokens:
        words: list[Word] = []
        taken = 0
        while index < len(timings) and taken < len(ids):
            timing = timings[index]
            if timing["word"]:
                start, end = offset + float(timing["start"]), offset + float(timing["end"])
                words.append(Word(round(start, 2), round(end, 2), str(timing["word"])))
            taken += len(timing["tokens"])
            index += 1
        shared.append(tuple(words))
    return shared
