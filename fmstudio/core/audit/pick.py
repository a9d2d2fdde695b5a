"""What to label next: the files a model is least sure of, spread over everything unlabelled.

Taken alone, the least sure files crowd where a young model is confused (two look-alike
classes, one odd kind of file) and teach it less than files picked at random
(benchmarks/label_loop.py). So the unlabelled files are grouped by what they look or read
like (k-means on the task's base-model embeddings, the audit's cache) into as many groups as
files to review, and each group gives the file the model is least sure of: the smallest
margin between its two likeliest classes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Generator, Sequence

import numpy as np

from fmstudio.core.audit.embeddings import embed
from fmstudio.core.audit.findings import normalised
from fmstudio.core.classify.results import ItemResult
from fmstudio.core.classify.scan import Sample, read_sample
from fmstudio.core.devices import resolve_device
from fmstudio.core.errors import InputFileError
from fmstudio.core.events import Activity, CancelToken, Event
from fmstudio.core.modalities import modality


def margin(result: ItemResult) -> float:
    """How much likelier the model's first class is than its second (1.0: sure)."""
    scores = [p.score for p in result.predictions[:2]]
    return scores[0] - (scores[1] if len(scores) > 1 else 0.0)


def spread_least_sure(
    margins: np.ndarray, embeddings: np.ndarray, n: int, seed: int = 0
) -> list[int]:
    """`n` indices, least sure first: of each of `n` k-means groups of the embeddings, the
    member with the smallest margin."""
    from sklearn.cluster import KMeans

    if n >= len(margins):
        return [int(i) for i in np.argsort(margins, kind="stable")]
    groups = KMeans(n, n_init=3, random_state=seed).fit_predict(normalised(embeddings))
    picked = [
        int(members[np.argmin(margins[members])])
        for group in range(n)
        if len(members := np.flatnonzero(groups == group))
    ]
    return sorted(picked, key=lambda i: (margins[i], i))


def _samples(results: Sequence[ItemResult], task: str) -> dict[int, Sample]:
    """Result index → the example as the audit's embedding cache knows it (by its content);
    results without predictions, or whose file can no longer be read, are left out."""
    samples: dict[int, Sample] = {}
    for i, result in enumerate(results):
        if not (result.ok and result.predictions):
            continue
        if result.text is not None:
            digest = hashlib.sha256(result.text.encode("utf-8")).hexdigest()
            samples[i] = Sample(result.path, "", result.text, digest)
            continue
        try:
            samples[i] = read_sample(result.path, "", task)
        except InputFileError:
            continue
    return samples


def choose_to_label(
    results: Sequence[ItemResult],
    task: str,
    n: int,
    device: str = "auto",
    cancel: CancelToken | None = None,
) -> Generator[Event, None, list[int]]:
    """Indices into `results` of the `n` files to review next, least sure first (failed
    inputs are never chosen)."""
    cancel = cancel or CancelToken()
    yield Activity("Spreading the files to review over everything unlabelled…")
    samples = _samples(results, task)
    usable = list(samples)
    if n >= len(usable):
        return sorted(usable, key=lambda i: (margin(results[i]), i))
    classes = sorted({p.label for i in usable for p in results[i].predictions})
    model = modality(task).base_model
    on = resolve_device(device)
    vectors = yield from embed(list(samples.values()), task, model, classes, on, cancel)
    margins = np.array([margin(results[i]) for i in usable])
    return [usable[i] for i in spread_least_sure(margins, vectors, n)]
