"""The sound classify job: audio and video files in, each one's top sounds and timeline out."""

from __future__ import annotations

from collections.abc import Generator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

from fmstudio.core import loading
from fmstudio.core.data.audio import load_audio
from fmstudio.core.data.files import expand_paths
from fmstudio.core.devices import resolve_device
from fmstudio.core.errors import InputFileError
from fmstudio.core.events import Activity, CancelToken, EtaTracker, Event, Partial, Runtime
from fmstudio.core.modalities import SOUND
from fmstudio.core.sound.heard import SoundModel
from fmstudio.core.sound.requests import ClassifySounds, SoundModelOrName
from fmstudio.core.sound.results import SoundResult
from fmstudio.core.sound.timeline import timeline, top_sounds

Decoded = tuple[Path, "np.ndarray | None", str | None]


def _decode(path: Path, sample_rate: int) -> Decoded:
    try:
        return path, load_audio(path, sample_rate), None
    except InputFileError as exc:
        return path, None, exc.reason


def named(
    model: SoundModel, path: Path, samples: np.ndarray, request: ClassifySounds
) -> SoundResult:
    """One recording's sounds."""
    heard = model.hear(samples)
    duration = len(samples) / model.sample_rate
    spacing = (model.window_s, model.hop_s)
    segments = timeline(heard.scores, model.labels, duration, request.min_score, spacing)
    return SoundResult(
        str(path),
        top_sounds(heard.scores, model.labels, request.top_k, heard.weights),
        segments=tuple(segments),
        duration=duration,
    )


def classify_sounds(
    request: ClassifySounds, *, cancel: CancelToken | None = None
) -> Generator[Event, None, list[SoundResult]]:
    """Name the sounds of every file; a bad file becomes an error result and the rest go on.
    The next file is decoded (FFmpeg) while the model hears this one."""
    cancel = cancel or CancelToken()
    files = list(expand_paths(request.paths, SOUND.suffixes))
    tagger = yield from load_sound_model(request.model, request.device, cancel)
    yield Runtime.of(tagger.runtime, "")
    tracker = EtaTracker(len(files))
    yield tracker.progress(0, SOUND.count(len(files)))
    results: list[SoundResult] = []
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="decode") as pool:
        rate = tagger.sample_rate
        decoding = [pool.submit(_decode, f, rate) for f in files[:1]]
        for index in range(len(files)):
            path, samples, error = decoding.pop(0).result()
            if index + 1 < len(files):
                decoding.append(pool.submit(_decode, files[index + 1], rate))
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


def load_sound_model(
    model: SoundModelOrName, device: str, cancel: CancelToken
) -> Generator[Event, None, SoundModel]:
    """The model a request names ("" for the default), or the loaded one it carries."""
    if not isinstance(model, str):
        return model
    name = model or SOUND.default_model
    yield Activity(f"Loading {name}…")
    device = resolve_device(device)
    loaded: SoundModel = loading.cached_load(name, SOUND.task, device, cancel)
    return loaded
