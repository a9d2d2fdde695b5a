"""The image classify job: files and folders in, ranked ImageNet (or custom) labels out."""

from __future__ import annotations

from collections.abc import Generator, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import torch

from fmstudio.core import catalog
from fmstudio.core.data.files import expand_paths
from fmstudio.core.data.images import (
    IMAGE_SUFFIXES,
    Thumbnail,
    load_image,
    make_thumbnail,
)
from fmstudio.core.devices import resolve_device
from fmstudio.core.errors import InputFileError
from fmstudio.core.events import CancelToken, EtaTracker, Event, Log, Partial
from fmstudio.core.image.models import ImageClassifier
from fmstudio.core.image.transforms import to_tensor
from fmstudio.core.results import ItemResult, Prediction, rank

Decoded = tuple[Path, torch.Tensor | None, str | None, Thumbnail | None]


def _decode(path: Path, model: ImageClassifier, thumb_size: int) -> Decoded:
    try:
        img = load_image(path)
        thumb = make_thumbnail(img, thumb_size) if thumb_size else None
        return path, to_tensor(img, model.preprocess), None, thumb
    except InputFileError as exc:
        return path, None, exc.reason, None
    except Exception as exc:  # one odd file must not stop the batch
        return path, None, f"{type(exc).__name__}: {exc}", None


def _batches(items: Sequence[Path], size: int) -> Iterator[Sequence[Path]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _decoded_batches(
    files: Sequence[Path], model: ImageClassifier, batch_size: int, workers: int, thumb_size: int
) -> Iterator[list[Decoded]]:
    """Decode batch n+1 on a thread pool while the caller runs the model on batch n."""
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="decode") as pool:
        pending: list[Future[list[Decoded]]] = []
        batches = iter(_batches(files, batch_size))

        def submit_next() -> None:
            batch = next(batches, None)
            if batch is not None:
                futures = [pool.submit(_decode, p, model, thumb_size) for p in batch]
                done: Future[list[Decoded]] = pool.submit(
                    lambda fs=futures: [f.result() for f in fs]
                )
                pending.append(done)

        submit_next()
        submit_next()
        while pending:
            current = pending.pop(0).result()
            submit_next()
            yield current


def classify_images(
    paths: Iterable[str | Path],
    model: str | ImageClassifier | None = None,
    top_k: int = 5,
    batch_size: int = 16,
    device: str = "auto",
    cancel: CancelToken | None = None,
    workers: int = 2,
    thumbnail_size: int = 0,
) -> Generator[Event, None, list[ItemResult]]:
    """Classify every image; a bad file becomes an error result and the rest go on.

    Decoding runs on `workers` threads, a batch ahead of the model. With `thumbnail_size`,
    each result carries a small RGB thumbnail in `extra["thumbnail"]` for the GUI.
    """
    cancel = cancel or CancelToken()
    files = list(expand_paths(paths, IMAGE_SUFFIXES))
    if isinstance(model, ImageClassifier):
        classifier = model
    else:
        name = model or catalog.default_model("image")
        yield Log(f"Loading {name}…")
        classifier = catalog.cached_load(name, "image", resolve_device(device))
    tracker = EtaTracker(len(files))
    yield tracker.progress(0, f"{len(files)} images")
    results: list[ItemResult] = []
    batch_size = max(1, batch_size)
    batches = _decoded_batches(files, classifier, batch_size, max(1, workers), thumbnail_size)
    for decoded in batches:
        cancel.raise_if_cancelled()
        good = [(p, t) for p, t, _, _ in decoded if t is not None]
        ranked: dict[Path, tuple[Prediction, ...]] = {}
        if good:
            probs = classifier.probabilities(torch.stack([t for _, t in good]))
            ranked = dict(
                zip([p for p, _ in good], rank(probs, classifier.labels, top_k), strict=False)
            )
        batch_results = [
            ItemResult(str(p), ranked.get(p, ()), err, {"thumbnail": thumb} if thumb else {})
            for p, _, err, thumb in decoded
        ]
        results.extend(batch_results)
        yield Partial(tuple(batch_results))
        yield tracker.progress(len(results), batch_results[-1].path)
    return results
