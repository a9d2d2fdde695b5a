"""The detect job: image files and folders in, labelled boxes out, an image at a time.

Boxes down to `results.KEEP_SCORE` are kept, so a window's threshold slider can show more or
fewer without running the model again; the CLI applies its --min-score when it prints.
"""

from __future__ import annotations

from collections.abc import Generator, Sequence
from pathlib import Path

from PIL import Image

from fmstudio.core import loading
from fmstudio.core.data.files import expand_paths
from fmstudio.core.data.images import IMAGE_SUFFIXES, load_image
from fmstudio.core.detect.models import Detector
from fmstudio.core.detect.requests import DetectImages
from fmstudio.core.detect.results import Detections
from fmstudio.core.devices import resolve_device
from fmstudio.core.errors import InputFileError
from fmstudio.core.events import Activity, CancelToken, EtaTracker, Event, Partial, Runtime
from fmstudio.core.modalities import DETECT


def _read(path: Path) -> Image.Image | str:
    """The image, or why it cannot be read."""
    try:
        return load_image(path)
    except InputFileError as exc:
        return exc.reason
    except Exception as exc:  # one odd file must not stop the others
        return f"{type(exc).__name__}: {exc}"


def _detect_batch(detector: Detector, files: Sequence[Path]) -> list[Detections]:
    read = [_read(p) for p in files]
    images = [im for im in read if isinstance(im, Image.Image)]
    found = iter(detector.detect(images) if images else [])
    return [
        Detections(str(p), tuple(next(found)), size=im.size)
        if isinstance(im, Image.Image)
        else Detections(str(p), error=im)
        for p, im in zip(files, read, strict=True)
    ]


def detect_images(
    request: DetectImages, *, cancel: CancelToken | None = None
) -> Generator[Event, None, list[Detections]]:
    """Every image's boxes; a bad file becomes an error result and the rest go on."""
    cancel = cancel or CancelToken()
    files = list(expand_paths(request.paths, IMAGE_SUFFIXES))
    detector = yield from _detector(request, cancel)
    yield Runtime.of(detector.runtime, detector.runtime_reason)
    tracker = EtaTracker(len(files))
    yield tracker.progress(0, DETECT.count(len(files)))
    results: list[Detections] = []
    size = max(1, request.batch_size)
    for start in range(0, len(files), size):
        cancel.raise_if_cancelled()
        batch = _detect_batch(detector, files[start : start + size])
        results += batch
        yield Partial(tuple(batch))
        yield tracker.progress(len(results), Path(batch[-1].path).name)
    return results


def _detector(request: DetectImages, cancel: CancelToken) -> Generator[Event, None, Detector]:
    if isinstance(request.model, Detector):
        return request.model
    name = request.model or DETECT.default_model
    yield Activity(f"Loading {name}…")
    loaded: Detector = loading.cached_load(
        name, DETECT.task, resolve_device(request.device), cancel
    )
    return loaded
