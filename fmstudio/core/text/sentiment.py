"""Sentiment labels in zero-shot: a sentence embedding tells what a text is about better than
how it feels, so "positive, negative" is described by what such texts sound like.

Measured on the VADER paper's rated sentences (movie and product reviews, editorials, tweets;
benchmarks/zero_shot_sentiment.py): "This text is about positive." averaged with the name
scored 0.67-0.69 on polar sentences, these descriptions 0.69-0.76. Calibrating against empty
input hurt every set. Both stay well below a model trained on 100 labelled examples a class
(0.76-0.82), and the job says so.
"""

from __future__ import annotations

from collections.abc import Sequence

_POSITIVE = "This is great, I love it."
_NEGATIVE = "This is terrible, I hate it."
DESCRIPTIONS = {
    "positive": _POSITIVE,
    "pos": _POSITIVE,
    "good": _POSITIVE,
    "negative": _NEGATIVE,
    "neg": _NEGATIVE,
    "bad": _NEGATIVE,
    "neutral": "This is a plain statement of fact.",
}
WEAK = (
    "Zero-shot reads what a text is about better than how it feels: about 7 in 10 real "
    "reviews get the right sentiment. Label 50-100 examples of each and train a model "
    "(Ctrl+T) for about 8 in 10."
)


def is_sentiment(labels: Sequence[str]) -> bool:
    """Whether every label names a sentiment (positive, negative, neutral and the like)."""
    return bool(labels) and all(label.strip().lower() in DESCRIPTIONS for label in labels)


def descriptions(labels: Sequence[str]) -> list[str]:
    return [DESCRIPTIONS[label.strip().lower()] for label in labels]
