"""The transcribe job: audio files in, timed segments out, with progress by audio position."""

from __future__ import annotations

from collections.abc import Generator, Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from fmstudio.core import catalog
from fmstudio.core.data.audio import AUDIO_SUFFIXES, SAMPLE_RATE, load_audio
from fmstudio.core.data.files import expand_paths
from fmstudio.core.devices import resolve_device
from fmstudio.core.errors import FmError, InputFileError
from fmstudio.core.events import CancelToken, Event, Log, Partial, Progress
from fmstudio.core.speech.models import SpeechModel
from fmstudio.core.speech.results import Segment, Transcript


@dataclass(frozen=True)
class Options:
    """What the user can choose; the defaults match faster-whisper's own."""

    language: str | None = None
    beam_size: int = 5
    vad: bool = False
    word_timestamps: bool = False


def _load(model: str | SpeechModel | None, device: str) -> Generator[Event, None, SpeechModel]:
    if isinstance(model, SpeechModel):
        return model
    name = model or catalog.default_model("speech")
    yield Log(f"Loading {name}…")
    loaded: SpeechModel = catalog.cached_load(name, "speech", resolve_device(device))
    return loaded


def transcribe_audio(
    model: SpeechModel,
    audio: np.ndarray,
    options: Options,
    cancel: CancelToken,
    path: str = "audio",
) -> Generator[Event, None, Transcript]:
    """Transcribe samples; yields each segment as it is decoded and progress by position."""
    language = options.language
    if language and language != "auto" and model.english_only and language != "en":
        raise FmError(
            f"{model.name} understands English only; choose a multilingual model for {language!r}"
        )
    segments_iter, info = model.model.transcribe(
        audio,
        language=None if language in (None, "", "auto") else language,
        beam_size=max(1, options.beam_size),
        vad_filter=options.vad,
        word_timestamps=options.word_timestamps,
    )
    duration = float(info.duration) or len(audio) / SAMPLE_RATE
    segments: list[Segment] = []
    for seg in segments_iter:
        cancel.raise_if_cancelled()
        segment = Segment(float(seg.start), float(seg.end), seg.text.strip())
        segments.append(segment)
        yield Partial((segment,))
        yield Progress(min(segment.end / duration, 1.0) if duration else 1.0, path)
    text = " ".join(s.text for s in segments if s.text)
    return Transcript(path, text, info.language, duration, segments)


def transcribe_files(
    paths: Iterable[str | Path],
    model: str | SpeechModel | None = None,
    options: Options | None = None,
    device: str = "auto",
    cancel: CancelToken | None = None,
) -> Generator[Event, None, list[Transcript]]:
    """Transcribe each file; a bad file becomes a Transcript with an error and the rest go on."""
    cancel = cancel or CancelToken()
    options = options or Options()
    loaded = yield from _load(model, device)
    files = list(expand_paths(paths, AUDIO_SUFFIXES))
    results: list[Transcript] = []
    for index, path in enumerate(files):
        cancel.raise_if_cancelled()
        yield Progress(index / max(len(files), 1), str(path), index, len(files))
        try:
            audio = load_audio(path)
        except InputFileError as exc:
            results.append(Transcript(str(path), error=exc.reason))
            continue
        job = transcribe_audio(loaded, audio, options, cancel, str(path))
        while True:
            try:
                event = next(job)
            except StopIteration as stop:
                results.append(stop.value)
                break
            if isinstance(event, Progress):
                overall = (index + event.fraction) / len(files)
                yield Progress(overall, str(path), index, len(files))
            else:
                yield event
    yield Progress(1.0, "done", len(files), len(files), 0.0)
    return results
