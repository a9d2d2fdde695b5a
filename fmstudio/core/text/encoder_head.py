"""Training a linear head on a frozen sentence encoder (`head_model.py` loads the result).

The multilingual encoder is numpy, not torch, so only a head on its embeddings can learn;
that is enough for a Chinese or German dataset to train offline.
"""

from __future__ import annotations

import json
from collections.abc import Generator, Sequence
from pathlib import Path

import torch
from torch import nn
from torch.utils.data import Dataset

from fmstudio.core.classify.scan import Sample
from fmstudio.core.events import CancelToken, EtaTracker, Event
from fmstudio.core.text.head_model import HEAD_FILE, encoder
from fmstudio.core.text.multilingual import MultilingualEncoder

ENCODE_CHUNK = 64


class _Texts(Dataset):
    def __init__(self, texts: Sequence[str], targets: Sequence[int]) -> None:
        self.texts, self.targets = list(texts), list(targets)

    def __len__(self) -> int:
        return len(self.texts)

    def __getitem__(self, index: int) -> tuple[str, int]:
        return self.texts[index], self.targets[index]


class EncoderHeadFinetuner:
    """The `Finetuner` for a frozen encoder: head mode only, features are its embeddings."""

    augments = False

    def __init__(self, base: str, classes: list[str], device: str) -> None:
        self.base = base
        self.classes = classes
        self.device = device
        self.encoder: MultilingualEncoder
        self.model: nn.Linear

    def load(self) -> None:
        self.encoder = encoder(self.base)
        self.model = nn.Linear(self.encoder.dimensions, len(self.classes))

    @property
    def head(self) -> nn.Module:
        return self.model

    def prepare(
        self, samples: Sequence[Sample], cancel: CancelToken, what: str
    ) -> Generator[Event, None, list[str]]:
        cancel.raise_if_cancelled()
        yield from ()
        return [s.text or "" for s in samples]

    def dataset(self, inputs: Sequence[str], targets: Sequence[int], train: bool) -> Dataset:
        return _Texts(inputs, targets)

    def collate(self, items: list[tuple[str, int]]) -> tuple[list[str], torch.Tensor]:
        return [t for t, _ in items], torch.tensor([y for _, y in items])

    def features(
        self, dataset: Dataset, cancel: CancelToken, what: str
    ) -> Generator[Event, None, torch.Tensor]:
        """The encoder's embedding of every text, in order."""
        texts = list(dataset.texts) if isinstance(dataset, _Texts) else []
        tracker = EtaTracker(len(texts))
        parts = []
        for start in range(0, len(texts), ENCODE_CHUNK):
            cancel.raise_if_cancelled()
            parts.append(self.encoder.embed(texts[start : start + ENCODE_CHUNK]))
            yield tracker.progress(min(len(texts), start + ENCODE_CHUNK), f"embedding {what} texts")
        return torch.cat(parts) if parts else torch.empty(0, self.encoder.dimensions)

    def objective(self) -> None:
        """A classifier's cross-entropy, as the run configures it (class weights)."""
        return None

    def save(self, folder: Path) -> None:
        from safetensors.torch import save_file

        state = {k: v.detach().cpu().contiguous() for k, v in self.model.state_dict().items()}
        save_file(state, str(folder / "model.safetensors"))
        card = {"encoder": self.base, "classes": self.classes}
        (folder / HEAD_FILE).write_text(json.dumps(card, indent=2, ensure_ascii=False), "utf-8")
