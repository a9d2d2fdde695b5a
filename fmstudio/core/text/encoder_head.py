"""Training a linear head on a frozen sentence encoder (`models.load_head_classifier` loads
the result): text's head mode, on the embedding the encoder was trained to give.

The multilingual encoder is numpy, not torch, so only a head on its embeddings can learn;
that is enough for a Chinese or German dataset to train offline.
"""

from __future__ import annotations

from collections.abc import Generator, Sequence
from pathlib import Path

import torch
from torch import nn
from torch.utils.data import Dataset

from fmstudio.core.classify.scan import Sample
from fmstudio.core.events import CancelToken, EtaTracker, Event
from fmstudio.core.text.batching import in_batches, sorted_chunks
from fmstudio.core.text.head_model import SentenceEncoder, write_head
from fmstudio.core.text.models import sentence_encoder

ENCODE_CHUNK = 64


class _Texts(Dataset):
    def __init__(self, texts: Sequence[str], targets: Sequence[int]) -> None:
        self.texts, self.targets = list(texts), list(targets)

    def __len__(self) -> int:
        return len(self.texts)

    def __getitem__(self, index: int) -> tuple[str, int]:
        return self.texts[index], self.targets[index]


class EncoderHeadFinetuner:
    """Text's head mode: a linear layer on the base's sentence embedding (the only mode of
    a frozen encoder)."""

    augments = False

    def __init__(self, base: str, classes: list[str], device: str) -> None:
        self.base = base
        self.classes = classes
        self.device = device
        self.encoder: SentenceEncoder
        self.model: nn.Linear

    def load(self) -> None:
        self.encoder = sentence_encoder(self.base, self.device)
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
        """The encoder's embedding of every text, in order (computed in batches of similar
        length, as the classify job does)."""
        texts = list(dataset.texts) if isinstance(dataset, _Texts) else []
        if not texts:
            return torch.empty(0, self.encoder.dimensions)
        tracker = EtaTracker(len(texts))
        return (
            yield from in_batches(
                sorted_chunks([len(t) for t in texts], ENCODE_CHUNK),
                [1] * len(texts),
                lambda picked: self.encoder.embed([texts[i] for i in picked]),
                lambda share: tracker.progress(share * len(texts), f"embedding {what} texts"),
                cancel,
            )
        )

    def objective(self) -> None:
        """A classifier's cross-entropy, as the run configures it (class weights)."""
        return None

    def save(self, folder: Path) -> None:
        write_head(folder, self.base, self.classes, self.model)
