"""Zero-shot sentiment on real rated sentences: fmstudio's default against the plain method.

Sets: the VADER paper's rated sentences (PyPI vaderSentiment 3.3.2 source package, MIT):
movie-review snippets, Amazon product-review snippets, New York Times editorial snippets and
tweets. Polar sentences are rated above +0.5 or below -0.5 (400 of each per set, seeded);
neutral ones between -0.2 and +0.2 (up to 400).

Plain: cosine similarity of mean-pooled MiniLM embeddings against the bare label names (what
a user of sentence-transformers writes). fmstudio: `classify_texts` with its defaults. Printed
per set: accuracy on "positive, negative", and on "positive, negative, neutral" with the share
of polar sentences sent to neutral. Last line: mean polar accuracy, fmstudio / plain.

Run: .venv/bin/python benchmarks/zero_shot_sentiment.py
"""

from __future__ import annotations

import random
import statistics
import sys
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import report
from _datasets import vader_snippets

from fmstudio.core import loading
from fmstudio.core.events import run_to_end
from fmstudio.core.text.classify import classify_texts
from fmstudio.core.text.requests import ClassifyTexts

SETS = ("movieReviewSnippets", "amazonReviewSnippets", "nytEditorialSnippets", "tweets")
PER_CLASS = 400


def sentences(kind: str) -> dict[str, list[str]]:
    rows = vader_snippets(kind)
    rng = random.Random(0)
    picked = {}
    for label, keep in (
        ("positive", lambda r: r > 0.5),
        ("negative", lambda r: r < -0.5),
        ("neutral", lambda r: -0.2 < r < 0.2),
    ):
        texts = [t for r, t in rows if keep(r)]
        rng.shuffle(texts)
        picked[label] = texts[:PER_CLASS]
    return picked


def plain(texts: list[str], labels: list[str]) -> list[str]:
    encoder = loading.cached_load("all-MiniLM-L6-v2", "text")
    docs = torch.cat([encoder.embed(texts[i : i + 64]) for i in range(0, len(texts), 64)])
    scores = docs @ encoder.embed(labels).T
    return [labels[i] for i in scores.argmax(-1).tolist()]


def ours(texts: list[str], labels: list[str]) -> list[str]:
    request = ClassifyTexts(texts=tuple(texts), labels=tuple(labels), top_k=1)
    return [r.predictions[0].label for r in run_to_end(classify_texts(request))]


def accuracy(picked: dict[str, list[str]], labels: list[str], method) -> tuple[float, float]:
    """Accuracy over the labels' sentences, and the share of polar ones called neutral."""
    texts = [t for label in labels for t in picked[label]]
    truth = [label for label in labels for _ in picked[label]]
    said = method(texts, labels)
    right = sum(a == b for a, b in zip(said, truth, strict=True)) / len(truth)
    polar = [s for s, t in zip(said, truth, strict=True) if t != "neutral"]
    return right, sum(s == "neutral" for s in polar) / len(polar)


def main() -> None:
    polar_acc: dict[str, list[float]] = {"plain": [], "fmstudio": []}
    for kind in SETS:
        picked = sentences(kind)
        for name, method in (("plain", plain), ("fmstudio", ours)):
            two, _ = accuracy(picked, ["positive", "negative"], method)
            three, to_neutral = accuracy(picked, ["positive", "negative", "neutral"], method)
            polar_acc[name].append(two)
            print(
                f"{kind:22s} {name:8s} pos/neg {two:.3f}   with neutral {three:.3f} "
                f"(polar sent to neutral {to_neutral:.0%})",
                flush=True,
            )
    report(
        "fmstudio, mean pos/neg accuracy",
        statistics.mean(polar_acc["fmstudio"]),
        "plain bare labels",
        statistics.mean(polar_acc["plain"]),
        "",
        "fmstudio / plain",
    )


if __name__ == "__main__":
    main()
