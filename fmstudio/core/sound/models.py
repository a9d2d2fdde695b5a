"""Loading sound models by catalogue entry (the modality table's `models`)."""

from __future__ import annotations

from fmstudio.core.catalog import ModelEntry
from fmstudio.core.errors import ModelUnavailableError
from fmstudio.core.sound.yamnet import NAME, SoundTagger


def load(entry: ModelEntry, device: str = "cpu") -> SoundTagger:
    """The bundled YAMNet (it runs on the CPU through ONNX Runtime whatever the device)."""
    if entry.source != "bundled" or entry.name != NAME:
        raise ModelUnavailableError(
            f"{entry.name}: fmstudio names sounds with the bundled {NAME} only, for now"
        )
    return SoundTagger(entry.name)
