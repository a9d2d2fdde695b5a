"""What the sound classify job is asked to do; light, so the window builds it without torch."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Union

from fmstudio.core.data.report import Example

if TYPE_CHECKING:
    from pathlib import Path

    from fmstudio.core.data.sources import AudioSource
    from fmstudio.core.sound.heard import SoundModel

SoundModelOrName = Union[str, "SoundModel"]

MIN_SCORE = 0.2
"""A patch whose best class scores less is left out of the timeline (nothing clear)."""


@dataclass(frozen=True)
class ClassifySounds:
    """Name the sounds in audio (and video) files and folders (folders recurse)."""

    paths: tuple[str, ...]
    model: SoundModelOrName = ""
    """A name the catalogue resolves ("" for the default), or a loaded model."""
    top_k: int = 5
    device: str = "auto"
    """Where a trained classifier runs ("auto": CUDA when there is one); the bundled tagger
    runs in ONNX Runtime on the CPU whatever this says."""
    min_score: float = MIN_SCORE
    """The timeline leaves out stretches whose best sound scores less."""


@dataclass(frozen=True)
class Listen:
    """Name the microphone's sounds as they come, saving the recording.

    The microphone `input_device` is opened by the job (on the worker), unless a `source`
    is given (the tests play a file as a microphone)."""

    model: SoundModelOrName = ""
    top_k: int = 5
    device: str = "auto"
    source: AudioSource | None = None
    input_device: int | str | None = None
    """A PortAudio device number (None: the default) or a system-audio id (`system_audio`)."""
    path: Path | None = None
    """Where to save the WAV; a new file in the recordings folder when None."""


def for_examples(
    samples: Sequence[Example], model: SoundModelOrName, batch_size: int | None, thumbnail_size: int
) -> ClassifySounds:
    """The request that classifies scanned examples as the Sound tab does (recordings heard
    in full, window by window); recordings have no thumbnails."""
    return ClassifySounds(tuple(s.path for s in samples), model, top_k=1)
