"""Is this text English? A cheap look at letters and common words, to pick a zero-shot
model: the bundled MiniLM knows English only, the multilingual encoder 16 languages."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable

ENGLISH_WORDS = frozenset(
    (
        "the",
        "a",
        "an",
        "and",
        "or",
        "of",
        "to",
        "in",
        "on",
        "for",
        "with",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "it",
        "this",
        "that",
        "these",
        "those",
        "i",
        "you",
        "he",
        "she",
        "we",
        "they",
        "not",
        "but",
        "at",
        "by",
        "from",
        "as",
        "have",
        "has",
        "had",
        "do",
        "does",
        "did",
        "will",
        "would",
        "can",
        "about",
        "my",
        "your",
        "our",
        "their",
        "his",
        "her",
        "its",
        "what",
        "which",
        "who",
    )
)
SCRIPTS = {
    "CJK": "Chinese or Japanese",
    "HIRAGANA": "Japanese",
    "KATAKANA": "Japanese",
    "HANGUL": "Korean",
    "CYRILLIC": "Cyrillic (Russian…)",
    "ARABIC": "Arabic",
    "THAI": "Thai",
    "GREEK": "Greek",
    "HEBREW": "Hebrew",
    "DEVANAGARI": "Devanagari (Hindi…)",
}
SAMPLE_CHARS = 20_000
"""Enough text to tell; a long document is not read to the end for this."""


def _script(char: str) -> str:
    name = unicodedata.name(char, "")
    return name.split(" ")[0] if name else ""


def not_english(texts: Iterable[str]) -> str | None:
    """Why the texts do not look English ("Chinese or Japanese script"), or None if they
    may be: mostly letters outside ASCII, or many words with almost no common English
    ones (German, Spanish… in Latin letters)."""
    sample = ""
    for text in texts:
        sample += text[: SAMPLE_CHARS - len(sample)] + "\n"
        if len(sample) >= SAMPLE_CHARS:
            break
    letters = [c for c in sample if c.isalpha()]
    if not letters:
        return None
    foreign = [c for c in letters if not c.isascii()]
    if len(foreign) / len(letters) > 0.3:
        script, _ = Counter(_script(c) for c in foreign).most_common(1)[0]
        return f"{SCRIPTS.get(script, script.title() or 'non-Latin')} script"
    words = re.findall(r"[a-z']+", sample.lower())
    if len(words) >= 12 and sum(w in ENGLISH_WORDS for w in words) / len(words) < 0.05:
        return "few common English words"
    return None
