"""Saved classifiers made of a frozen sentence encoder and a trained linear head.

The folder holds the head (`model.safetensors`: weight and bias), and `head.json` names the
encoder and the classes. The head reads the encoder's sentence embedding, the pooling the
encoder was trained with (mean pooling for MiniLM, the multilingual encoder's own), not a
transformers classifier's input (tanh of an untrained pooler over the first token), which
scored 10 points lower on real movie reviews (benchmarks/train_quality.py --datasets movies).
`models.load_head_classifier` loads one.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import torch
from torch import nn

HEAD_FILE = "head.json"


class SentenceEncoder(Protocol):
    """What a head is trained on: one L2-normalised embedding per text."""

    name: str

    @property
    def dimensions(self) -> int: ...

    def embed(self, texts: list[str]) -> torch.Tensor: ...


@dataclass
class HeadClassifier:
    """A saved encoder-and-head model, ready to classify."""

    name: str
    encoder: SentenceEncoder
    head: nn.Linear
    labels: list[str]
    temperature: float = 1.0
    """The logits are divided by it before the softmax (calibration, from model.json)."""

    @torch.inference_mode()
    def probabilities(self, texts: list[str]) -> torch.Tensor:
        probs: torch.Tensor = (self.head(self.encoder.embed(texts)) / self.temperature).softmax(-1)
        return probs


def is_head_model(folder: Path) -> bool:
    return (folder / HEAD_FILE).is_file()


def read_head(folder: Path) -> tuple[str, list[str], dict[str, torch.Tensor]]:
    """The encoder's name, the classes and the head's weights of a saved head model."""
    from safetensors.torch import load_file

    card: dict[str, Any] = json.loads((folder / HEAD_FILE).read_text("utf-8"))
    state = load_file(str(folder / "model.safetensors"))
    return str(card["encoder"]), [str(c) for c in card["classes"]], state


def write_head(folder: Path, encoder: str, classes: list[str], head: nn.Linear) -> None:
    from safetensors.torch import save_file

    state = {k: v.detach().cpu().contiguous() for k, v in head.state_dict().items()}
    save_file(state, str(folder / "model.safetensors"))
    card = {"encoder": encoder, "classes": classes}
    (folder / HEAD_FILE).write_text(json.dumps(card, indent=2, ensure_ascii=False), "utf-8")
