"""The transcribe job: audio files in, timed segments out, with progress by audio position."""

from __future__ import annotations

import time
from collections.abc import Generator, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from fmstudio.core import loading
from fmstudio.core.data.audio import SAMPLE_RATE, load_audio
from fmstudio.core.data.files import expand_paths
from fmstudio.core.devices import resolve_device
from fmstudio.core.errors import FmError, InputFileError, ModelUnavailableError
from fmstudio.core.events import (
    Activity,
    CancelToken,
    EtaTracker,
    Event,
    Log,
    Partial,
    Progress,
    phase,
)
from fmstudio.core.modalities import SPEECH
from fmstudio.core.speech import align, long_files
from fmstudio.core.speech.events import FileDone, FileStarted
from fmstudio.core.speech.languages import NAMES
from fmstudio.core.speech.models import SpeechModel
from fmstudio.core.speech.requests import (
    MIN_LANGUAGE_PROBABILITY,
    AnySpeechModel,
    SpeechOptions,
    Transcribe,
)
from fmstudio.core.speech.silence import is_silent, onset, spoken
from fmstudio.core.speech.transcripts import Segment, Transcript, Word
from fmstudio.core.speech.voices import VoiceLibrary
from fmstudio.core.wording import plural


def load_speech_model(
    model: AnySpeechModel, device: str, cancel: CancelToken
) -> Generator[Event, None, SpeechModel]:
    """The model a request names ("" for the default), loaded once per app run."""
    if isinstance(model, SpeechModel):
        return model
    name = model or SPEECH.default_model
    yield Activity(f"Loading {name}…")
    loaded: SpeechModel = loading.cached_load(name, "speech", resolve_device(device), cancel)
    return loaded


def transcribe_audio(
    model: SpeechModel,
    audio: np.ndarray,
    options: SpeechOptions,
    cancel: CancelToken,
    path: str = "audio",
    *,
    quick: bool = False,
) -> Generator[Event, None, Transcript]:
    """Transcribe samples; yields each segment as it is decoded and progress by position.

    Silence gives no segments (see `silence`): not decoded when all of it is silent, and a
    decoded segment without sound or words is dropped. `quick` (live text) decodes once, at
    temperature 0: the fallback to sampling can double a pass on a short window.
    """
    _check_options(model, options)
    if long_files.wanted(audio):
        yield Log(f"{Path(path).name} is long: decoding 30-second pieces in batches")
    segments_iter, info = _decode(model, audio, options, quick)
    unsure = _unsure_language(model, options, info, path)
    if unsure:
        yield Log(unsure)
        options = replace(options, language=options.fallback_language)
        segments_iter, info = _decode(model, audio, options, quick)
    duration = float(info.duration) or len(audio) / SAMPLE_RATE
    segments: list[Segment] = []
    started = time.monotonic()
    for segment in segments_iter if not is_silent(audio) else ():
        cancel.raise_if_cancelled()
        if segment.start >= duration or not spoken(audio, segment.start, segment.end, segment.text):
            continue
        if not segment.words:  # word times are aligned already, and the segment starts there
            segment = replace(segment, start=onset(audio, segment.start, segment.end))
        segments.append(segment)
        yield Partial((segment,))
        position = min(segment.end, duration)
        rate = (time.monotonic() - started) / position if position > 0 else None
        eta = rate * (duration - position) if rate is not None else None
        yield Progress(position / duration if duration else 1.0, Path(path).name, eta_s=eta)
    if options.speakers is not None and segments:
        segments = yield from _with_speakers(model, audio, segments, info, options, path)
    if not options.word_timestamps and options.speakers is None:
        segments = [replace(s, words=()) for s in segments]
    return Transcript(
        path,
        " ".join(s.text for s in segments if s.text),
        language=info.language,
        language_probability=None
        if _chosen_language(options) or model.english_only
        else info.language_probability,
        duration=duration,
        segments=segments,
    )


def _with_speakers(
    model: SpeechModel,
    audio: np.ndarray,
    segments: list[Segment],
    info: Any,
    options: SpeechOptions,
    path: str,
) -> Generator[Event, None, list[Segment]]:
    """The segments with their speakers, split at the word where one changes; as they were,
    with a warning saying why, when the speaker encoder cannot be had."""
    from fmstudio.core.speech.speakers import find_speakers  # torch: only when asked

    yield Activity("Finding speakers…")
    if align.can_align(model.model) and not any(s.words for s in segments):
        segments = align.align_words(model.model, audio, segments, info.language)
    voices, problems = VoiceLibrary().load()
    for problem in problems:
        yield Log(problem, "warning")
    try:
        found = find_speakers(audio, segments, options.speakers or 0, voices, model.device)
    except ModelUnavailableError as exc:  # the words are worth having without speakers
        yield Log(f"{Path(path).name}: no speakers: {exc}", "warning")
        return segments
    count = plural(len({s.speaker for s in found}), "speaker")
    yield Log(f"{count} found in {Path(path).name}")
    return found


def _decode(
    model: SpeechModel, audio: np.ndarray, options: SpeechOptions, quick: bool = False
) -> tuple[Iterator[Segment], Any]:
    """Segments as they are decoded, and faster-whisper's info: long files in batches."""
    decode: dict[str, Any] = {
        "language": _chosen_language(options),
        "task": options.task,
        "beam_size": max(1, options.beam_size),
        "word_timestamps": options.word_timestamps,  # speakers align words afterwards
    }
    if quick:
        decode["temperature"] = 0.0
    if long_files.wanted(audio):
        return long_files.transcribe_batched(model.model, audio, options, model.device, **decode)
    segments, info = model.model.transcribe(audio, vad_filter=options.vad, **decode)
    return (_segment(s) for s in segments), info


def _unsure_language(model: SpeechModel, options: SpeechOptions, info: Any, path: str) -> str:
    """Why the detected language is not used, or "": below MIN_LANGUAGE_PROBABILITY a short
    clip is as often heard as another language (whisper-base wrote the prompt "New" in
    Russian, p 0.26), and the fallback language is more likely right."""
    if _chosen_language(options) or model.english_only or options.task == "translate":
        return ""
    probability = float(getattr(info, "language_probability", 1.0) or 0.0)
    if probability >= MIN_LANGUAGE_PROBABILITY or info.language == options.fallback_language:
        return ""
    guessed = NAMES.get(info.language, info.language)
    fallback = NAMES.get(options.fallback_language, options.fallback_language)
    return (
        f"{Path(path).name}: Whisper could not tell the language (it guessed {guessed} at "
        f"{probability:.0%}), so it is transcribed as {fallback}; choose the language to "
        "change that"
    )


def _chosen_language(options: SpeechOptions) -> str | None:
    """The language the user chose, or None to let Whisper detect it."""
    return None if options.language in (None, "", "auto") else options.language


def _check_options(model: SpeechModel, options: SpeechOptions) -> None:
    """English-only models refuse other languages and translation with a clear message."""
    language = options.language
    if not model.english_only:
        return
    if language and language not in ("auto", "en"):
        raise FmError(
            f"{model.name} understands English only; choose a multilingual model "
            f"(whisper-base) for {language!r}"
        )
    if options.task == "translate":
        raise FmError(
            f"{model.name} is English-only, so it has nothing to translate; choose a "
            "multilingual model (whisper-base) to translate speech into English"
        )


def _segment(seg: Any) -> Segment:
    words = tuple(Word(float(w.start), float(w.end), w.word) for w in (seg.words or ()))
    return Segment(float(seg.start), float(seg.end), seg.text.strip(), words=words)


def transcribe_files(
    request: Transcribe, *, cancel: CancelToken | None = None
) -> Generator[Event, None, list[Transcript]]:
    """Transcribe each file; a bad file becomes a Transcript with an error and the rest go on."""
    cancel = cancel or CancelToken()
    loaded = yield from load_speech_model(request.model, request.device, cancel)
    files = list(expand_paths(request.paths, SPEECH.suffixes))
    results: list[Transcript] = []
    tracker = EtaTracker(len(files))
    for index, path in enumerate(files):
        cancel.raise_if_cancelled()
        yield tracker.progress(index, Path(path).name)
        yield FileStarted(str(path))
        try:
            audio = load_audio(path)
        except InputFileError as exc:
            results.append(Transcript(str(path), error=exc.reason))
            yield FileDone(results[-1])
            continue
        job = transcribe_audio(loaded, audio, request.options, cancel, str(path))
        share = (index / len(files), (index + 1) / len(files))
        transcript = yield from phase(job, *share)
        results.append(replace(transcript, audio=audio if request.keep_audio else None))
        yield FileDone(results[-1])
    yield tracker.progress(len(files), "done")
    return results
