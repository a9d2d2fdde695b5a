"""Word and character error rates, scored the way Whisper's own evaluations score them.

Both texts are normalised first with transformers' Whisper English normaliser (case,
punctuation, numbers, contractions; the British-to-American spelling list is not shipped
offline, so spellings are left as written), then jiwer aligns and counts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any


@cache
def _normaliser() -> Any:
    from transformers.models.whisper.english_normalizer import EnglishTextNormalizer

    return EnglishTextNormalizer({})


def normalise(text: str) -> str:
    return str(_normaliser()(text)).strip()


@dataclass(frozen=True)
class Edit:
    """One stretch of an alignment: `equal`, `substitute`, `insert` or `delete`."""

    kind: str
    reference: str
    hypothesis: str


@dataclass(frozen=True)
class ClipScore:
    path: str
    reference: str
    hypothesis: str
    wer: float
    words: int
    edits: list[Edit] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "reference": self.reference,
            "hypothesis": self.hypothesis,
            "wer": round(self.wer, 4),
        }


@dataclass(frozen=True)
class Scores:
    wer: float
    cer: float
    words: int
    clips: list[ClipScore]

    @property
    def n(self) -> int:
        return len(self.clips)

    def to_json(self) -> dict[str, Any]:
        return {
            "wer": round(self.wer, 4),
            "cer": round(self.cer, 4),
            "n": self.n,
            "words": self.words,
            "per_clip": [c.to_json() for c in self.clips],
        }


def _edits(reference: str, hypothesis: str) -> tuple[float, list[Edit]]:
    import jiwer

    out = jiwer.process_words(reference, hypothesis)
    ref, hyp = out.references[0], out.hypotheses[0]
    edits = [
        Edit(
            chunk.type,
            " ".join(ref[chunk.ref_start_idx : chunk.ref_end_idx]),
            " ".join(hyp[chunk.hyp_start_idx : chunk.hyp_end_idx]),
        )
        for chunk in out.alignments[0]
    ]
    return float(out.wer), edits


def score_clip(path: str, reference: str, hypothesis: str) -> ClipScore:
    """One clip's WER and its word edits, on normalised text."""
    ref, hyp = normalise(reference), normalise(hypothesis)
    if not ref:
        # Nothing to say: every word heard is an insertion.
        wer = 0.0 if not hyp else 1.0
        return ClipScore(path, reference, hypothesis, wer, 0, [Edit("insert", "", hyp)])
    wer, edits = _edits(ref, hyp)
    return ClipScore(path, reference, hypothesis, wer, len(ref.split()), edits)


def score(paths: Sequence[str], references: Sequence[str], hypotheses: Sequence[str]) -> Scores:
    """Corpus WER and CER (errors over all reference words or characters) and each clip's."""
    import jiwer

    clips = [score_clip(p, r, h) for p, r, h in zip(paths, references, hypotheses, strict=True)]
    pairs = [(normalise(r), normalise(h)) for r, h in zip(references, hypotheses, strict=True)]
    pairs = [(r, h) for r, h in pairs if r]
    words = sum(len(r.split()) for r, _ in pairs)
    if not pairs:
        return Scores(0.0, 0.0, 0, clips)
    refs, hyps = [r for r, _ in pairs], [h for _, h in pairs]
    return Scores(float(jiwer.wer(refs, hyps)), float(jiwer.cer(refs, hyps)), words, clips)


def speaker_time_accuracy(
    reference: Sequence[tuple[str, float, float]], found: Sequence[tuple[str, float, float]]
) -> float:
    """The share of reference speech time given to the right speaker, after the best
    one-to-one mapping of found speakers to true ones (the usual diarization score,
    without a forgiveness collar). Both are (speaker, start, end) turns."""
    from scipy.optimize import linear_sum_assignment

    true_names = sorted({r[0] for r in reference})
    found_names = sorted({f[0] for f in found})
    overlap = [[0.0] * len(found_names) for _ in true_names]
    for who, start, end in reference:
        for other, a, b in found:
            shared = min(end, b) - max(start, a)
            if shared > 0:
                overlap[true_names.index(who)][found_names.index(other)] += shared
    total = sum(end - start for _, start, end in reference)
    if not found_names or total <= 0:
        return 0.0
    rows, cols = linear_sum_assignment(overlap, maximize=True)
    return float(sum(overlap[r][c] for r, c in zip(rows, cols, strict=True)) / total)
