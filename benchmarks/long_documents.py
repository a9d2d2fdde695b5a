"""Long documents: reading evenly spread parts against reading every window.

Documents of 60,000 characters, real English: the docstrings of six standard-library packages
(benchmarks/_datasets.py; labels: the package names, windows of the text every 15,000
characters), and rated movie-review snippets of one polarity joined (VADER's, labels positive
and negative). Each set is classified zero-shot with its labels. fmstudio reads a document this
long as
`LONG_PARTS` evenly spread parts; the plain way reads every 256-token window. Printed: how
often the two agree on the label, the accuracy of each and the time of each. Then one
book-sized file (16 MB: the same docstrings repeated) through the job, timed. Last line: the
time of every window / the parts.

Run: .venv/bin/python benchmarks/long_documents.py
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import report
from _datasets import DOC_PACKAGES, _docstrings, vader_snippets

from fmstudio.core.events import Progress, run_to_end
from fmstudio.core.text import classify
from fmstudio.core.text.classify import classify_texts
from fmstudio.core.text.requests import ClassifyTexts

DOC_CHARS = 60_000
BOOK_BYTES = 16 * 1024 * 1024


def documents() -> list[tuple[list[str], list[str], tuple[str, ...]]]:
    """(texts, true labels, label set) of each set."""
    texts, truth = [], []
    for label, packages in DOC_PACKAGES.items():
        joined = "\n\n".join(_docstrings(packages))
        for start in range(0, len(joined) - DOC_CHARS + 1, DOC_CHARS // 4):
            texts.append(joined[start : start + DOC_CHARS])
            truth.append(label)
    reviews, polar = [], []
    rated = vader_snippets()
    for label, keep in (("positive", lambda r: r > 0.5), ("negative", lambda r: r < -0.5)):
        joined = " ".join(t for r, t in rated if keep(r))
        for start in range(0, len(joined) - DOC_CHARS + 1, DOC_CHARS):
            reviews.append(joined[start : start + DOC_CHARS])
            polar.append(label)
    return [(texts, truth, tuple(DOC_PACKAGES)), (reviews, polar, ("positive", "negative"))]


def labels_of(
    texts: list[str], labels: tuple[str, ...], every_window: bool
) -> tuple[list[str], float]:
    parts = classify.LONG_PARTS
    classify.LONG_PARTS = 10**9 if every_window else parts
    try:
        request = ClassifyTexts(texts=tuple(texts), labels=labels, top_k=1)
        start = time.perf_counter()
        results = run_to_end(classify_texts(request))
        return [r.predictions[0].label for r in results], time.perf_counter() - start
    finally:
        classify.LONG_PARTS = parts


def book(folder: Path, texts: list[str]) -> tuple[float, int]:
    """Seconds for one 16 MB file, and how many progress events it gave."""
    path = folder / "book.txt"
    text = "\n\n".join(texts)
    path.write_text((text * (BOOK_BYTES // len(text) + 1))[:BOOK_BYTES], encoding="utf-8")
    events: list[object] = []
    start = time.perf_counter()
    request = ClassifyTexts(paths=(str(path),), labels=tuple(DOC_PACKAGES))
    run_to_end(classify_texts(request), events.append)
    return time.perf_counter() - start, sum(isinstance(e, Progress) for e in events)


def main() -> None:
    sets = documents()
    labels_of(sets[0][0][:1], sets[0][2], every_window=False)  # the model loads outside timings
    times = {"parts": 0.0, "every": 0.0}
    for texts, truth, labels in sets:
        parts, seconds = labels_of(texts, labels, every_window=False)
        times["parts"] += seconds
        every, seconds = labels_of(texts, labels, every_window=True)
        times["every"] += seconds
        agree = sum(a == b for a, b in zip(parts, every, strict=True)) / len(texts)
        right = [
            sum(a == t for a, t in zip(found, truth, strict=True)) / len(texts)
            for found in (parts, every)
        ]
        print(
            f"{len(texts)} documents, labels {', '.join(labels)}: same label {agree:.1%}; "
            f"accuracy parts {right[0]:.1%}, every window {right[1]:.1%}"
        )
    with tempfile.TemporaryDirectory() as tmp:
        seconds, steps = book(Path(tmp), sets[0][0])
    print(f"a 16 MB file through the job: {seconds:.1f} s ({steps} progress events)")
    parts_name = f"{classify.LONG_PARTS} parts"
    report("every window", times["every"], parts_name, times["parts"], "s", "every / parts")


if __name__ == "__main__":
    main()
