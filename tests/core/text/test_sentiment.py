"""Sentiment labels in zero-shot: described by what such texts sound like, and the user told
that zero-shot is weak at it."""

from __future__ import annotations

import torch

from fmstudio.core import loading
from fmstudio.core.events import Log, run_to_end
from fmstudio.core.text import DEFAULT_TEMPLATE
from fmstudio.core.text.classify import classify_texts, label_vectors
from fmstudio.core.text.requests import ClassifyTexts
from fmstudio.core.text.sentiment import WEAK, is_sentiment

REVIEWS = {
    "positive": "What a wonderful little phone: the battery lasts for days and I adore it.",
    "negative": "The worst film I have seen this year, dull and far too long. I hated it.",
}


def test_sentiment_labels_are_described_and_the_weakness_is_said() -> None:
    said: list[str] = []
    request = ClassifyTexts(texts=tuple(REVIEWS.values()), labels=("Positive", "negative"))
    results = run_to_end(
        classify_texts(request), lambda e: said.append(e.message) if isinstance(e, Log) else None
    )
    assert [r.predictions[0].label for r in results] == ["Positive", "negative"]
    assert WEAK in said
    encoder = loading.cached_load("all-MiniLM-L6-v2", "text")
    described = label_vectors(encoder, ["positive", "negative"], DEFAULT_TEMPLATE)
    templated = label_vectors(encoder, ["positive", "negative"], "This text is about {label}!")
    assert not torch.allclose(described, templated, atol=1e-3)


def test_topic_labels_are_not_sentiment() -> None:
    assert is_sentiment(["positive", "negative", "neutral"]) and is_sentiment(["good", "bad"])
    assert not is_sentiment(["sports", "positive"]) and not is_sentiment([])
    said: list[str] = []
    request = ClassifyTexts(texts=("The striker scored twice.",), labels=("sports", "cooking"))
    run_to_end(classify_texts(request), lambda e: said.append(getattr(e, "message", "")))
    assert WEAK not in said
