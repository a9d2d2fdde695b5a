"""Embeddings of a dataset's examples by the task's base model, cached per example's content.

The features are those head-mode training uses (the task's finetuner, `features`): pooled
EfficientNet features for images, the sentence embedding for texts, the sound network's
embedding for recordings. Each is kept in the cache under the model's name and the example's
content hash, so a second audit of a grown folder embeds only the new files.
"""

from __future__ import annotations

import hashlib
from collections.abc import Generator, Sequence
from pathlib import Path
from typing import cast

import numpy as np

from fmstudio.core import paths
from fmstudio.core.atomic import atomic_target
from fmstudio.core.classify.scan import Sample
from fmstudio.core.events import Activity, CancelToken, Event, phase
from fmstudio.core.train.finetuner import ClassifierFinetuner, load_finetuner


def content_key(sample: Sample) -> str:
    """The example's content: its file's hash, or for a table row the hash of its text."""
    if "#" in sample.path and sample.text is not None:
        return hashlib.sha256(sample.text.encode("utf-8")).hexdigest()
    return sample.sha256


def cache_file(task: str, model: str) -> Path:
    name = hashlib.sha256(f"{task}\0{model}".encode()).hexdigest()[:16]
    return paths.cache_dir() / "audit" / f"{name}.npz"


def _read_cache(path: Path) -> dict[str, np.ndarray]:
    if not path.is_file():
        return {}
    try:
        with np.load(path) as stored:
            return dict(zip(stored["keys"].tolist(), stored["vectors"], strict=True))
    except (OSError, ValueError, KeyError):  # a damaged cache is made again
        return {}


def _write_cache(path: Path, cached: dict[str, np.ndarray]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    keys = np.array(list(cached), dtype=str)
    with atomic_target(path) as target, open(target, "wb") as f:
        np.savez(f, keys=keys, vectors=np.stack(list(cached.values())))


def embed(
    samples: Sequence[Sample],
    task: str,
    model: str,
    classes: list[str],
    device: str,
    cancel: CancelToken,
) -> Generator[Event, None, np.ndarray]:
    """(examples, dims) float32 embeddings, in the order of `samples`."""
    path = cache_file(task, model)
    cached = _read_cache(path)
    missing = [s for s in samples if content_key(s) not in cached]
    if missing:
        yield Activity(f"Loading {model}…")
        tuner = cast(ClassifierFinetuner, load_finetuner(task, model, classes, device, "head"))
        new = yield from _features(tuner, missing, cancel)
        for sample, vector in zip(missing, new, strict=True):
            cached[content_key(sample)] = vector
        _write_cache(path, cached)
    return np.stack([cached[content_key(s)] for s in samples]).astype(np.float32)


def _features(
    tuner: ClassifierFinetuner, samples: Sequence[Sample], cancel: CancelToken
) -> Generator[Event, None, np.ndarray]:
    inputs = yield from phase(tuner.prepare(samples, cancel, "audited"), 0.0, 0.4)
    dataset = tuner.dataset(inputs, [0] * len(inputs), train=False)
    features = yield from phase(tuner.features(dataset, cancel, "audited"), 0.4, 1.0)
    return features.float().numpy()
