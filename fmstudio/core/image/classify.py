"""The image classify job: files and folders in, ranked ImageNet (or custom) labels out."""

from __future__ import annotations

import os
from collections.abc import Generator, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import torch

from fmstudio.core import loading
from fmstudio.core.classify.results import ItemResult, Prediction, rank
from fmstudio.core.data.files import expand_paths
from fmstudio.core.data.images import IMAGE_SUFFIXES, load_image, make_thumbnail
from fmstudio.core.data.thumbnail import Thumbnail
from fmstudio.core.devices import resolve_device
from fmstudio.core.errors import InputFileError
from fmstudio.core.events import Activity, CancelToken, EtaTracker, Event, Partial, Runtime
from fmstudio.core.export import graphs
from fmstudio.core.image import device_decode
from fmstudio.core.image.models import ImageClassifier
from fmstudio.core.image.requests import ClassifyImages
from fmstudio.core.image.transforms import to_tensor
from fmstudio.core.modalities import IMAGE

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


def _decode_onto(path: Path, model: ImageClassifier, thumb_size: int) -> Decoded:
    """A file decoded by Pillow, its tensor then moved to the model's device to join a batch
    decoded there."""
    path, tensor, reason, thumb = _decode(path, model, thumb_size)
    return path, tensor.to(model.device) if tensor is not None else None, reason, thumb


def _device_batch(paths: Sequence[Path], model: ImageClassifier, thumb_size: int) -> list[Decoded]:
    """A batch whose JPEGs decode and preprocess on the model's GPU (`device_decode`); the
    other files, and JPEGs the GPU refuses, are decoded by Pillow."""
    done: dict[Path, Decoded] = {}
    jpegs: list[device_decode.EncodedJpeg] = []
    for path in paths:
        try:
            jpeg = device_decode.read_jpeg(path)
        except InputFileError as exc:
            done[path] = (path, None, exc.reason, None)
            continue
        if jpeg is None:
            done[path] = _decode_onto(path, model, thumb_size)
        else:
            jpegs.append(jpeg)
    images = device_decode.decode_batch(jpegs, model.device) if jpegs else []
    if images is None:  # the decoder refused the batch: Pillow takes its JPEGs
        done.update((j.path, _decode_onto(j.path, model, thumb_size)) for j in jpegs)
    else:
        for jpeg, img in zip(jpegs, images, strict=True):
            thumb = device_decode.thumbnail(img, thumb_size) if thumb_size else None
            tensor = device_decode.preprocess(img, model.preprocess)
            done[jpeg.path] = (jpeg.path, tensor, None, thumb)
    return [done[path] for path in paths]


def _batches(items: Sequence[Path], size: int) -> Iterator[Sequence[Path]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _decoded_batches(
    files: Sequence[Path], model: ImageClassifier, batch_size: int, workers: int, thumb_size: int
) -> Iterator[list[Decoded]]:
    """Decode batch n+1 on a thread pool while the caller runs the model on batch n: each
    file on a thread of its own, or the whole batch on the GPU where it can decode."""
    on_device = model.fast is None and device_decode.decodes_on_device(model.device)
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="decode") as pool:
        pending: list[Future[list[Decoded]]] = []
        batches = iter(_batches(files, batch_size))

        def submit_next() -> None:
            batch = next(batches, None)
            if batch is None:
                return
            if on_device:
                pending.append(pool.submit(_device_batch, batch, model, thumb_size))
            else:
                futures = [pool.submit(_decode, p, model, thumb_size) for p in batch]
                pending.append(pool.submit(_gather, futures))

        submit_next()
        submit_next()
        while pending:
            current = pending.pop(0).result()
            submit_next()
            yield current


def _gather(futures: list[Future[Decoded]]) -> list[Decoded]:
    return [f.result() for f in futures]


def decode_threads(device: str) -> int:
    """Threads that decode a batch ahead of the model: 2 beside a model on the CPU (ONNX
    Runtime takes the cores), up to 8 beside a GPU, where decoding is all the CPU does."""
    if not device.startswith("cuda"):
        return 2
    return max(2, min(8, os.cpu_count() or 2))


def classify_images(
    request: ClassifyImages, *, cancel: CancelToken | None = None
) -> Generator[Event, None, list[ItemResult]]:
    """Classify every image; a bad file becomes an error result and the rest go on.

    Decoding runs on `workers` threads, a batch ahead of the model.
    """
    cancel = cancel or CancelToken()
    files = list(expand_paths(request.paths, IMAGE_SUFFIXES))
    classifier = yield from _classifier(request, cancel)
    yield Runtime.of(classifier.runtime, classifier.runtime_reason)
    tracker = EtaTracker(len(files))
    yield tracker.progress(0, f"{len(files)} images")
    results: list[ItemResult] = []
    batch_size = max(1, request.batch_size)
    workers = request.workers or decode_threads(classifier.device)
    batches = _decoded_batches(files, classifier, batch_size, workers, request.thumbnail_size)
    for decoded in batches:
        cancel.raise_if_cancelled()
        good = [(p, t) for p, t, _, _ in decoded if t is not None]
        ranked: dict[Path, tuple[Prediction, ...]] = {}
        if good:
            probs = classifier.probabilities(torch.stack([t for _, t in good]))
            ranking = rank(probs, classifier.labels, request.top_k)
            ranked = dict(zip([p for p, _ in good], ranking, strict=True))
        batch_results = [
            ItemResult(str(p), ranked.get(p, ()), err, thumbnail=thumb)
            for p, _, err, thumb in decoded
        ]
        results.extend(batch_results)
        yield Partial(tuple(batch_results))
        yield tracker.progress(len(results), Path(batch_results[-1].path).name)
    return results


def _classifier(
    request: ClassifyImages, cancel: CancelToken
) -> Generator[Event, None, ImageClassifier]:
    if isinstance(request.model, ImageClassifier):
        return request.model
    name = request.model or IMAGE.default_model
    device = resolve_device(request.device)
    converts = device == "cpu" and graphs.fast_paths_wanted() and graphs.none_cached()
    once = " and converting it for ONNX Runtime, once (up to a minute)" if converts else ""
    yield Activity(f"Loading {name}{once}…")
    loaded: ImageClassifier = loading.cached_load(name, "image", device, cancel)
    return loaded
