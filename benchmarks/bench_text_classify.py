"""Text zero-shot throughput: fmstudio's classify job against a plain transformers loop.

Both embed the same real texts with the bundled MiniLM (mean pooling, batch 32); the plain
loop takes them in the given order, fp32, as one would write it by hand, and compares the
embeddings with the label embeddings. fmstudio runs its job (`classify_texts`, labels and
ranking included): bf16 autocast where the CPU has it natively, texts sorted by length in
steps, short ones in batches of up to 64.

Sets (real text from Debian and PyPI packages):
- WordNet glosses: short and even (Debian wordnet-base, data.noun; `apt-get install
  wordnet-base`), 2,000 of them.
- VADER snippets: short and uneven (PyPI vaderSentiment 3.3.2 source package, MIT: tweets,
  movie, Amazon and New York Times snippets), 2,000 of them.
- stdlib docstrings: long (300 to 4,000 characters; the plain loop truncates the longest at
  256 tokens, fmstudio reads them whole), those of six standard-library packages.

Then the zero-shot accuracy on the benchmark's sets (benchmarks/zero_shot_quality.py and the
VADER polar sets of benchmarks/zero_shot_sentiment.py) with fmstudio's job in fp32 and on its
fast path: a path is kept only if accuracy stays within half a point. Printed: documents/s of
each side per set and their ratio; the accuracies; last, the lowest ratio of the three sets.

Run: .venv/bin/python benchmarks/bench_text_classify.py [--repeats 3]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import report
from _datasets import DOC_PACKAGES, _docstrings, vader_snippets

from fmstudio.core.events import run_to_end
from fmstudio.core.text.classify import classify_texts, label_vectors
from fmstudio.core.text.models import TextEncoder, load_bundled, mean_pool, speed_up
from fmstudio.core.text.requests import ClassifyTexts

WORDNET = Path("/usr/share/wordnet/data.noun")
LABELS = ("science", "people", "places", "things", "events")


def glosses(n: int, seed: int = 0) -> list[str]:
    """WordNet noun glosses, the definition before any example ("a device that ...")."""
    if not WORDNET.is_file():
        sys.exit(f"{WORDNET} is missing: apt-get install wordnet-base")
    found = []
    for line in WORDNET.read_text("latin-1").splitlines():
        if line.startswith(" ") or "|" not in line:
            continue  # the licence at the top
        gloss = line.split("|", 1)[1].split(";")[0].strip()
        if gloss:
            found.append(gloss)
    random.Random(seed).shuffle(found)
    return found[:n]


def snippets(n: int, seed: int = 0) -> list[str]:
    kinds = ("tweets", "movieReviewSnippets", "amazonReviewSnippets", "nytEditorialSnippets")
    texts = [text for kind in kinds for _, text in vader_snippets(kind)]
    random.Random(seed).shuffle(texts)
    return texts[:n]


def long_docstrings() -> list[str]:
    texts = [d for packages in DOC_PACKAGES.values() for d in _docstrings(packages)]
    return [t for t in texts if len(t) >= 300]


@torch.inference_mode()
def plain_loop(encoder: TextEncoder, texts: list[str], labels: list[str]) -> list[int]:
    """The loop a user writes from the sentence-transformers model card: fp32, batch 32."""

    def embed(batch_texts: list[str]) -> torch.Tensor:
        batch = encoder.tokenizer(
            batch_texts, padding=True, truncation=True, max_length=256, return_tensors="pt"
        )
        hidden = encoder.model(**batch).last_hidden_state
        return mean_pool(hidden, batch["attention_mask"])

    label_matrix = embed(labels)
    picked: list[int] = []
    for start in range(0, len(texts), 32):
        scores = embed(texts[start : start + 32]) @ label_matrix.T
        picked += scores.argmax(-1).tolist()
    return picked


def ours(encoder: TextEncoder, texts: list[str], labels: list[str]) -> list[str]:
    request = ClassifyTexts(texts=tuple(texts), labels=tuple(labels), top_k=1, model=encoder)
    return [r.predictions[0].label for r in run_to_end(classify_texts(request))]


def interleaved(runs: dict[str, Callable[[], object]], repeats: int) -> dict[str, float]:
    """Median seconds of each run, taking turns so that a noisy moment hits both."""
    times: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(repeats):
        for name, run in runs.items():
            start = time.perf_counter()
            run()
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(t) for name, t in times.items()}


def throughput(encoder: TextEncoder, repeats: int) -> list[tuple[str, float, float]]:
    """(set, fmstudio docs/s, plain docs/s) of each set."""
    sets = {
        "WordNet glosses": glosses(2000),
        "VADER snippets": snippets(2000),
        "stdlib docstrings": long_docstrings(),
    }
    labels = list(LABELS)
    rates = []
    for name, texts in sets.items():
        chars = statistics.median(len(t) for t in texts)
        seconds = interleaved(
            {
                "fmstudio": lambda texts=texts: ours(encoder, texts, labels),
                "plain": lambda texts=texts: plain_loop(encoder, texts, labels),
            },
            repeats,
        )
        rate = {side: len(texts) / s for side, s in seconds.items()}
        rates.append((name, rate["fmstudio"], rate["plain"]))
        print(
            f"{name} ({len(texts)} texts, median {chars:.0f} characters): fmstudio "
            f"{rate['fmstudio']:.1f} docs/s, plain {rate['plain']:.1f} docs/s, "
            f"ratio {rate['fmstudio'] / rate['plain']:.2f}",
            flush=True,
        )
    return rates


def accuracy_sets() -> dict[str, dict[str, list[str]]]:
    from zero_shot_quality import DATASETS
    from zero_shot_sentiment import SETS, sentences

    sets = dict(DATASETS)
    for kind in SETS:
        picked = sentences(kind)
        sets[kind] = {label: picked[label] for label in ("positive", "negative")}
    return sets


def accuracy(encoder: TextEncoder) -> None:
    """Mean zero-shot accuracy of the job in fp32 and on the fast path, in points."""
    fast = encoder.bf16
    means = {}
    for path, bf16 in (("fp32", False), ("fmstudio's path", fast)):
        encoder.bf16 = bf16
        scores = []
        for data in accuracy_sets().values():
            texts = [t for ts in data.values() for t in ts]
            truth = [label for label, ts in data.items() for _ in ts]
            said = ours(encoder, texts, list(data))
            scores.append(sum(a == b for a, b in zip(said, truth, strict=True)) / len(truth))
        means[path] = 100 * statistics.mean(scores)
        print(f"zero-shot accuracy, {path}: {means[path]:.2f} (mean of {len(scores)} sets)")
    encoder.bf16 = fast
    change = means["fmstudio's path"] - means["fp32"]
    verdict = "within" if abs(change) <= 0.5 else "NOT within"
    print(f"accuracy change: {change:+.2f} points ({verdict} half a point)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    encoder = speed_up(load_bundled("cpu"))
    label_vectors(encoder, list(LABELS), None)  # warm the model up
    print(f"fmstudio runs {encoder.runtime} ({encoder.runtime_reason}), ", end="")
    print(f"{torch.get_num_threads()} torch threads")
    rates = throughput(encoder, args.repeats)
    accuracy(encoder)
    name, fast, plain = min(rates, key=lambda r: r[1] / r[2])
    print(f"the set fmstudio gains least on: {name}")
    report("fmstudio", fast, "plain loop", plain, "docs/s", "fmstudio / plain")


if __name__ == "__main__":
    main()
