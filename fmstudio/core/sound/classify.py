"""The sound classify job: audio and video files in, each one's top sounds and timeline out."""

from __future__ import annotations

from collections.abc import Generator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

from fmstudio.core import loading
from fmstudio.core.data.audio import SAMPLE_RATE, load_audio
from fmstudio.core.data.files import expand_paths
from fmstudio.core.errors import InputFileError
from fmstudio.core.events import Activity, CancelToken, EtaTracker, Event, Partial, Runtime
from fmstudio.core.modalities import SOUND
from fmstudio.core.sound.requests import ClassifySounds
from fmstudio.core.sound.results import SoundResult
from fmstudio.core.sound.timeline import timeline, top_sounds
from fmstudio.core.sound.yamnet import SoundTagger

Decoded = tuple[Path, "np.ndarray | None", str | None]


def _decode(path: Path) -> Decoded:
    try:
        return path, load_audio(path), None
    except InputFileError as exc:
        return path, None, exc.reason


def named(
    tagger: SoundTagger, path: Path, samples: np.ndarray, request: ClassifySounds
) -> SoundResult:
    """One recording's sounds."""
    scores = tagger.patch_scores(samples)
    duration = len(samples) / SAMPLE_RATE
    return SoundResult(
        str(path),
        top_sounds(scores, tagger.labels, request.top_k),
        segments=tuple(timeline(scores, tagger.labels, duration, request.min_score)),
        duration=duration,
    )


def classify_sounds(
    request: ClassifySounds, *, cancel: CancelToken | None = None
) -> Generator[Event, None, list[SoundResult]]:
    """Name the sounds of every file; a bad file becomes an error result and the rest go on.
    The next file is decoded (FFmpeg) while the model hears this one."""
    cancel = cancel or CancelToken()
    files = list(expand_paths(request.paths, SOUND.suffixes))
    tagger = yield from _tagger(request, cancel)
    yield Runtime.of(tagger.runtime, "")
    tracker = EtaTracker(len(files))
    yield tracker.progress(0, SOUND.count(len(files)))
    results: list[SoundResult] = []
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="decode") as pool:
        decoding = [pool.submit(_decode, f) for f in files[:1]]
        for index in range(len(files)):
            path, samples, error = decoding.pop(0).result()
            if index + 1 < len(files):
                decoding.append(pool.submit(_decode, files[index + 1]))
            cancel.raise_if_cancelled()
            result = (
                SoundResult(str(path), error=error)
                if samples is None
                else named(tagger, path, samples, request)
            )
            results.append(result)
            yield Partial((result,))
            yield tracker.progress(len(results), path.name)
    return results


def _tagger(request: ClassifySounds, cancel: CancelToken) -> Generator[Event, None, SoundTagger]:
    if isinstance(request.model, SoundTagger):
        return request.model
    name = request.model or SOUND.default_model
    yield Activity(f"Loading {name}…")
    loaded: SoundTagger = loading.cached_load(name, SOUND.task, "cpu", cancel)
    return loaded
