"""What the speech tests measure transcripts with, in the core and the CLI tests alike."""

from __future__ import annotations

import re


def words(text: str) -> list[str]:
    return re.findall(r"[a-z']+", text.lower())


def word_error_rate(reference: str, hypothesis: str) -> float:
    ref, hyp = words(reference), words(hypothesis)
    d = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, start=1):
        prev, d[0] = d[0], i
        for j, h in enumerate(hyp, start=1):
            prev, d[j] = d[j], min(d[j] + 1, d[j - 1] + 1, prev + (r != h))
    return d[len(hyp)] / max(len(ref), 1)


TRANSCRIPT_KEYS = {
    "path",
    "text",
    "language",
    "language_probability",
    "duration",
    "segments",
    "error",
}
"""What every transcript's JSON holds, in `speech transcribe --format json` too."""
