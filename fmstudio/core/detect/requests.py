"""What the detect job is asked to do; light, so the window builds it without torch."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Union

from fmstudio.core.modalities import DETECT

if TYPE_CHECKING:
    from fmstudio.core.detect.models import Detector

DetectModel = Union[str, "Detector"]


@dataclass(frozen=True)
class DetectImages:
    """Find objects in image files and folders (folders recurse)."""

    paths: tuple[str, ...]
    model: DetectModel = ""
    """A name the catalogue resolves ("" for the default), or a loaded detector."""
    batch_size: int = DETECT.default_batch
    device: str = "auto"
