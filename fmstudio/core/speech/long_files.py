"""Long files decode in batches: faster-whisper's batched pipeline runs several 30-second pieces
through the model at once, in about 0.6x the time of sequential decoding on a 2-core CPU
(benchmarks/bench_transcribe.py).

Whisper reads 30 s at a time either way; sequential decoding feeds each window the text before
it, batched decoding cannot. So the pieces are cut where the audio is quietest (a pause between
sentences, not the middle of a word), as late as the 30-second window allows, and nothing is
dropped unless the user asked to skip silence (then the pipeline's own voice-activity filter
chooses the pieces).

Each piece is decoded as text alone: asked for timestamps as well, the batched pipeline drops
sentences (WER 0.21 against 0.16 sequential on the benchmark's files; text alone gives 0.16).
Word times (about 8 % more time) then split every piece back into sentence segments, so a
transcript reads, plays and subtitles as the sequential one does.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np

from fmstudio.core.data.audio import SAMPLE_RATE
from fmstudio.core.speech.requests import SpeechOptions
from fmstudio.core.speech.transcripts import Segment, Word

LONG_FILE_SECONDS = 60.0
"""Shorter files hold at most two windows: sequential decoding costs about the same and keeps
the context between them."""
PIECE_SECONDS = 30.0
SEARCH_SECONDS = 8.0
"""How far back from a piece's 30-second limit a cut may move to find a pause."""
FRAME_SECONDS = 0.1
QUIET_MARGIN_DB = 6.0
"""Frames within this of the quietest count as equally quiet: the latest of them is cut."""
SENTENCE_ENDS = (".", "?", "!", "。", "？", "！")


def batch_size(device: str) -> int:
    """Pieces decoded together: 3 on a CPU, where a stop (closing the window) waits for the batch
    in flight: 4 gave 0.57x sequential time but a 2.6 s close, 3 gives 0.61x and 2.1 s, 2 gives
    0.73x and 1.6 s (2 cores; benchmarks/bench_transcribe.py). 16 on a GPU."""
    return 16 if device.startswith("cuda") else 3


def wanted(audio: np.ndarray) -> bool:
    return len(audio) / SAMPLE_RATE > LONG_FILE_SECONDS


def quiet_cuts(audio: np.ndarray) -> list[dict[str, float]]:
    """Pieces of at most 30 s covering all the audio, each ending at the last quiet frame of
    the 8 s before its limit; times in seconds, as the pipeline's `clip_timestamps` takes."""
    frame = int(FRAME_SECONDS * SAMPLE_RATE)
    longest = int(PIECE_SECONDS * SAMPLE_RATE)
    search = int(SEARCH_SECONDS * SAMPLE_RATE)
    pieces: list[dict[str, float]] = []
    start = 0
    while len(audio) - start > longest:
        window = audio[start + longest - search : start + longest].astype(np.float64)
        frames = window[: window.size - window.size % frame].reshape(-1, frame)
        level = 10 * np.log10((frames**2).mean(axis=1) + 1e-12)
        latest = int(np.nonzero(level <= level.min() + QUIET_MARGIN_DB)[0][-1])
        cut = start + longest - search + latest * frame + frame // 2
        pieces.append({"start": start / SAMPLE_RATE, "end": cut / SAMPLE_RATE})
        start = cut
    pieces.append({"start": start / SAMPLE_RATE, "end": len(audio) / SAMPLE_RATE})
    return pieces


def transcribe_batched(
    whisper: Any, audio: np.ndarray, options: SpeechOptions, device: str, **decode: Any
) -> tuple[Iterator[Segment], Any]:
    """Sentence segments, with words, and the pipeline's info; the same decoding options as
    sequential decoding."""
    from faster_whisper import BatchedInferencePipeline

    decode["word_timestamps"] = True
    pieces, info = BatchedInferencePipeline(whisper).transcribe(
        audio,
        clip_timestamps=None if options.vad else quiet_cuts(audio),
        vad_filter=options.vad,
        batch_size=batch_size(device),
        without_timestamps=True,
        **decode,
    )
    return (sentence for piece in pieces for sentence in sentences(piece)), info


def sentences(piece: Any) -> list[Segment]:
    """A decoded piece split after each word that ends a sentence."""
    found: list[Segment] = []
    words: list[Word] = []
    for w in piece.words or ():
        words.append(Word(float(w.start), float(w.end), w.word))
        if w.word.rstrip().endswith(SENTENCE_ENDS):
            found.append(_segment(words))
            words = []
    if words:
        found.append(_segment(words))
    return found


def _segment(words: list[Word]) -> Segment:
    text = "".join(w.text for w in words).strip()
    return Segment(words[0].start, words[-1].end, text, words=tuple(words))
