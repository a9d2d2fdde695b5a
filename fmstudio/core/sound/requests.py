"""What the sound classify job is asked to do; light, so the window builds it without torch."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Union

if TYPE_CHECKING:
    from fmstudio.core.sound.yamnet import SoundTagger

SoundModel = Union[str, "SoundTagger"]

MIN_SCORE = 0.2
"""A patch whose best class scores less is left out of the timeline (nothing clear)."""


@dataclass(frozen=True)
class ClassifySounds:
    """Name the sounds in audio (and video) files and folders (folders recurse)."""

    paths: tuple[str, ...]
    model: SoundModel = ""
    """A name the catalogue resolves ("" for the default), or a loaded tagger."""
    top_k: int = 5
    device: str = "auto"
    min_score: float = MIN_SCORE
    """The timeline leaves out stretches whose best sound scores less."""
