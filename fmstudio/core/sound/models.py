"""Loading sound models by catalogue entry (the modality table's `models`)."""

from __future__ import annotations

from pathlib import Path

from fmstudio.core.catalog import ModelEntry
from fmstudio.core.errors import ModelUnavailableError
from fmstudio.core.sound import sfx_cnn
from fmstudio.core.sound.classifier import SoundClassifier, load_library
from fmstudio.core.sound.yamnet import NAME, SoundTagger


def load(entry: ModelEntry, device: str = "cpu") -> SoundTagger | SoundClassifier:
    """The bundled YAMNet (in ONNX Runtime on the CPU whatever the device), or a sound
    classifier trained by fmstudio on `device`."""
    if entry.source == "library":
        return load_library(Path(entry.location), device)
    if entry.source == "bundled" and entry.name == NAME:
        return SoundTagger(entry.name)
    if entry.source == "bundled" and entry.name == sfx_cnn.NAME:
        raise ModelUnavailableError(
            f"{entry.name} names no sounds itself: it is the base that sound classifiers are "
            "trained from (Train > Sound classifier), or try the bundled yamnet"
        )
    raise ModelUnavailableError(
        f"{entry.name}: sounds are named by the bundled {NAME} or by a sound classifier "
        "trained in fmstudio"
    )
