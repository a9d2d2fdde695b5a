"""What each job is asked to do: one frozen request per job, built by the CLI or a tab.

Every job takes its request and keyword-only `cancel` (and `pause` where it can pause):
`classify_images(ClassifyImages(paths), cancel=token)`. This module is light, so the window
builds requests without importing torch; a request may also carry a model that is already
loaded (the evaluate job hands its classifier to the classify job).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Union

from fmstudio.core.modalities import IMAGE, TEXT, VAL_SPLIT
from fmstudio.core.text import DEFAULT_TEMPLATE

if TYPE_CHECKING:
    from fmstudio.core.image.models import ImageClassifier
    from fmstudio.core.speech.models import SpeechModel
    from fmstudio.core.speech.sources import AudioSource
    from fmstudio.core.text.head_model import HeadClassifier
    from fmstudio.core.text.models import TextClassifier, TextEncoder
    from fmstudio.core.text.multilingual import MultilingualEncoder

ImageModel = Union[str, "ImageClassifier"]
TextModel = Union[str, "TextEncoder", "MultilingualEncoder", "TextClassifier", "HeadClassifier"]
AnySpeechModel = Union[str, "SpeechModel"]


@dataclass(frozen=True)
class ClassifyImages:
    """Rank labels for image files and folders (folders recurse)."""

    paths: tuple[str, ...]
    model: ImageModel = ""
    """A name the catalogue resolves ("" for the default), or a loaded classifier."""
    top_k: int = 5
    batch_size: int = IMAGE.default_batch
    device: str = "auto"
    thumbnail_size: int = 0
    """Give each result an RGB thumbnail this big, for the window's table (0: none)."""
    workers: int = 2


@dataclass(frozen=True)
class ClassifyTexts:
    """Rank labels for text files, table rows and pasted texts: zero-shot or fine-tuned."""

    paths: tuple[str, ...] = ()
    texts: tuple[str, ...] = ()
    labels: tuple[str, ...] = ()
    """The zero-shot labels; a fine-tuned model uses its own classes."""
    model: TextModel = ""
    template: str | None = DEFAULT_TEMPLATE
    top_k: int = 5
    batch_size: int = TEXT.default_batch
    device: str = "auto"
    text_column: str | None = None


MAX_SPEAKERS = 20
"""The most speakers a user can ask for."""


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
    input_device: int | None = None
    model: AnySpeechModel | None = None
    """None records only; a name loads that model (on `device`) for the transcription."""
    live: bool = True
    options: SpeechOptions = field(default_factory=SpeechOptions)
    device: str = "auto"
    path: Path | None = None
    """Where to save the WAV; a new file in the recordings folder when None."""


@dataclass(frozen=True)
class Evaluate:
    """Measure a classifier on a labelled folder (its val/ or test/ folder when it has one)."""

    task: str
    model: str
    data: str
    batch_size: int = IMAGE.default_batch
    device: str = "auto"


@dataclass(frozen=True)
class Compare:
    """Measure a retrained model against the model it grew from, on the same files."""

    task: str
    previous: str
    current: str
    device: str = "auto"


@dataclass(frozen=True)
class Export:
    """Write a classifier as ONNX or TorchScript into a folder, checked against torch."""

    model: str
    format: str = "onnx"
    """"onnx" or "torchscript"."""
    output: str = ""
    """The folder to write; `<model>-<format>` in the current folder when empty."""
    task: str | None = None
    """"image" or "text"; found from the model when None."""


@dataclass(frozen=True)
class Playback:
    """Play part of a transcript's decoded 16 kHz audio."""

    samples: Any = field(repr=False)
    start: float = 0.0
    end: float = 0.0


@dataclass(frozen=True)
class Scan:
    """Check a dataset folder (or, for text, a table file) before training on it."""

    root: str
    task: str
    val_split: float = VAL_SPLIT
    seed: int = 0
    text_column: str | None = None
    label_column: str = "label"
