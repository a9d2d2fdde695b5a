"""Saved classifiers made of a frozen sentence encoder and a trained linear head.

The folder holds the head (`model.safetensors`: weight and bias), and `head.json` names the
encoder and the classes, so loading it needs nothing but the bundled encoder.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from torch import nn

from fmstudio.core import loading
from fmstudio.core.errors import ModelUnavailableError
from fmstudio.core.text.multilingual import MultilingualEncoder

HEAD_FILE = "head.json"


def encoder(name: str) -> MultilingualEncoder:
    loaded = loading.cached_load(name, "text")
    if not isinstance(loaded, MultilingualEncoder):
        raise ModelUnavailableError(f"{name} is not a frozen sentence encoder")
    return loaded


@dataclass
class HeadClassifier:
    """A saved encoder-and-head model, ready to classify."""

    name: str
    encoder: MultilingualEncoder
    head: nn.Linear
    labels: list[str]

    @torch.inference_mode()
    def probabilities(self, texts: list[str]) -> torch.Tensor:
        probs: torch.Tensor = self.head(self.encoder.embed(texts)).softmax(-1)
        return probs


def is_head_model(folder: Path) -> bool:
    return (folder / HEAD_FILE).is_file()


def load_head_classifier(folder: Path, name: str) -> HeadClassifier:
    from safetensors.torch import load_file

    try:
        card: dict[str, Any] = json.loads((folder / HEAD_FILE).read_text("utf-8"))
        state = load_file(str(folder / "model.safetensors"))
        labels = [str(c) for c in card["classes"]]
        frozen = encoder(str(card["encoder"]))
        head = nn.Linear(frozen.dimensions, len(labels))
        head.load_state_dict(state)
    except (OSError, ValueError, KeyError, RuntimeError) as exc:
        raise ModelUnavailableError(f"text model {name} could not be loaded: {exc}") from exc
    return HeadClassifier(name, frozen, head.eval(), labels)
