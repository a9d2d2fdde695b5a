"""What the image classify job is asked to do; light, so the window builds it without torch."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Union

from fmstudio.core.modalities import IMAGE

if TYPE_CHECKING:
    from fmstudio.core.data.report import Example
    from fmstudio.core.image.models import ImageClassifier

ImageModel = Union[str, "ImageClassifier"]


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
    workers: int = 0
    """Threads that decode ahead of the model (0: as many as suit its device)."""


def for_examples(
    samples: Sequence[Example], model: ImageModel, batch_size: int | None, thumbnail_size: int
) -> ClassifyImages:
    """The request that classifies scanned examples as the Image tab does (files decoded in
    full), each with a thumbnail for the mistakes the window shows."""
    return ClassifyImages(
        tuple(s.path for s in samples),
        model,
        top_k=1,
        batch_size=batch_size or IMAGE.default_batch,
        thumbnail_size=thumbnail_size,
    )
