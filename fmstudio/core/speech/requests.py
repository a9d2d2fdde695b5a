"""What the speech jobs are asked to do (transcribe, record, play back); light, so the window
builds them without importing faster-whisper."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Union

if TYPE_CHECKING:
    from fmstudio.core.data.sources import AudioSource
    from fmstudio.core.speech.models import SpeechModel

AnySpeechModel = Union[str, "SpeechModel"]


MAX_SPEAKERS = 20
"""The most speakers a user can ask for."""
MIN_LANGUAGE_PROBABILITY = 0.5
"""Below this, Whisper's language guess gives way to `SpeechOptions.fallback_language`
(benchmarks/language_fallback.py)."""


@dataclass(frozen=True)
class SpeechOptions:
    """What the user can choose for transcription; the defaults match faster-whisper's own."""

    language: str | None = None
    beam_size: int = 5
    vad: bool = False
    word_timestamps: bool = False
    speakers: int | None = None
    """Find who speaks when: None does not, 0 finds how many speakers, N asks for N."""
    task: str = "transcribe"
    """"translate" writes English whatever is spoken (multilingual models only)."""
    fallback_language: str = "en"
    """The language used when Whisper cannot tell which one is spoken (a word or two): the
    Speech tab passes the last language it was sure of."""


@dataclass(frozen=True)
class Transcribe:
    """Transcribe audio files and folders; a bad file becomes an error transcript."""

    paths: tuple[str, ...]
    model: AnySpeechModel = ""
    options: SpeechOptions = field(default_factory=SpeechOptions)
    device: str = "auto"
    keep_audio: bool = False
    """Keep each file's decoded samples on its transcript (the window plays segments)."""


@dataclass(frozen=True)
class Record:
    """Record into a WAV; with `model`, live text and a final transcript.

    The microphone `input_device` is opened by the job (on the worker), unless a `source`
    is given (the tests play a file as a microphone).
    """

    source: AudioSource | None = None
    input_device: int | str | None = None
    """A PortAudio device number (None: the default) or a system-audio id (`system_audio`)."""
    model: AnySpeechModel | None = None
    """None records only; a name loads that model (on `device`) for the transcription."""
    live: bool = True
    options: SpeechOptions = field(default_factory=SpeechOptions)
    device: str = "auto"
    path: Path | None = None
    """Where to save the WAV; a new file in the recordings folder when None."""


@dataclass(frozen=True)
class EnrolVoice:
    """Learn one speaker's voice from their segments of a transcript (the tab's "remember")."""

    name: str
    path: str
    spans: tuple[tuple[float, float], ...]
    """(start, end) seconds of the speaker's segments."""
    audio: Any = field(default=None, repr=False, compare=False)
    """The decoded samples when the tab kept them; else the file is read again."""


@dataclass(frozen=True)
class WatchFolder:
    """Transcribe every new audio or video file in `folder` (and its sub-folders), once."""

    folder: str
    output_dir: str | None = None
    """Where the transcripts go (sub-folders kept); beside each file when None."""
    formats: tuple[str, ...] = ("srt",)
    model: AnySpeechModel = ""
    options: SpeechOptions = field(default_factory=SpeechOptions)
    device: str = "auto"
    once: bool = False
    """Stop when every file there now is done (files still being written are waited for)."""
