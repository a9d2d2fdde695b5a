"""Text fine-tuning: a transformers sequence classifier, tokenised datasets, `save_pretrained`.

Saved models are plain transformers folders (safetensors + tokenizer + id2label/label2id),
so `AutoModelForSequenceClassification.from_pretrained(<folder>)` reloads them anywhere.
"""

from __future__ import annotations

from collections.abc import Generator, Sequence, Sized
from pathlib import Path
from typing import Any, cast

import torch
from torch import nn
from torch.utils.data import Dataset

from fmstudio.core import catalog
from fmstudio.core.classify.scan import Sample
from fmstudio.core.errors import FmError
from fmstudio.core.events import CancelToken, EtaTracker, Event
from fmstudio.core.hub import load_cached_or_online, quiet_transformers
from fmstudio.core.text.encoder_head import EncoderHeadFinetuner
from fmstudio.core.text.models import max_input_length, model_source

MAX_TRAIN_TOKENS = 256
TOKENIZE_CHUNK = 512


class TokenSamples(Dataset):
    def __init__(self, ids: Sequence[list[int]], targets: Sequence[int]) -> None:
        self.ids = list(ids)
        self.targets = list(targets)
        self.lengths = [len(i) for i in self.ids]  # the loop batches similar lengths together

    def __len__(self) -> int:
        return len(self.ids)

    def __getitem__(self, index: int) -> tuple[list[int], int]:
        return self.ids[index], self.targets[index]


class TextFinetuner:
    """A transformers sequence classifier with a new head; the `Finetuner` for texts."""

    augments = False

    def __init__(self, base: str, classes: list[str], device: str) -> None:
        self.base = base
        self.classes = classes
        self.device = device
        self.model: Any  # a transformers model (untyped)
        self.tokenizer: Any
        self.max_length = MAX_TRAIN_TOKENS

    def load(self) -> None:
        from transformers import AutoModelForSequenceClassification, AutoTokenizer

        quiet_transformers()
        source = model_source(catalog.resolve(self.base, "text"))
        n = len(self.classes)

        def _load() -> tuple[Any, Any]:
            return (
                AutoModelForSequenceClassification.from_pretrained(
                    source,
                    num_labels=n,
                    id2label=dict(enumerate(self.classes)),
                    label2id={c: i for i, c in enumerate(self.classes)},
                    ignore_mismatched_sizes=True,
                ),
                AutoTokenizer.from_pretrained(source),
            )

        self.model, self.tokenizer = load_cached_or_online(self.base, _load)
        self.model.to(self.device)
        self.max_length = min(MAX_TRAIN_TOKENS, max_input_length(self.tokenizer, self.model))

    @property
    def head(self) -> nn.Module:
        head = getattr(self.model, "classifier", None)
        if not isinstance(head, nn.Linear):
            raise FmError(
                f"head mode needs a model whose classifier is one linear layer; {self.base} "
                "has another kind: use --mode full"
            )
        return head

    def prepare(
        self, samples: Sequence[Sample], cancel: CancelToken, what: str
    ) -> Generator[Event, None, list[list[int]]]:
        """Token ids of every example, truncated to the training length."""
        ids: list[list[int]] = []
        tracker = EtaTracker(len(samples))
        for start in range(0, len(samples), TOKENIZE_CHUNK):
            cancel.raise_if_cancelled()
            texts = [s.text or "" for s in samples[start : start + TOKENIZE_CHUNK]]
            ids += self.tokenizer(texts, truncation=True, max_length=self.max_length)["input_ids"]
            yield tracker.progress(len(ids), f"reading {what} texts")
        return ids

    def dataset(self, ids: Sequence[list[int]], targets: Sequence[int], train: bool) -> Dataset:
        return TokenSamples(ids, targets)

    def collate(self, items: list[tuple[list[int], int]]) -> tuple[dict[str, Any], torch.Tensor]:
        batch = self.tokenizer.pad({"input_ids": [i for i, _ in items]}, return_tensors="pt")
        return dict(batch), torch.tensor([t for _, t in items])

    @torch.no_grad()
    def features(
        self, dataset: Dataset, cancel: CancelToken, what: str, batch_size: int = 32
    ) -> Generator[Event, None, torch.Tensor]:
        """The classifier's input for every example (captured with a hook), in order."""
        self.model.eval()
        captured: list[torch.Tensor] = []
        hook = self.head.register_forward_pre_hook(
            lambda _m, args: captured.append(args[0].float().cpu())
        )
        n = len(cast(Sized, dataset))
        tracker = EtaTracker(n)
        order = sorted(range(n), key=lambda i: len(dataset[i][0]))
        try:
            for start in range(0, n, batch_size):
                cancel.raise_if_cancelled()
                picked = order[start : start + batch_size]
                inputs, _ = self.collate([dataset[i] for i in picked])
                self.model(**{k: v.to(self.device) for k, v in inputs.items()})
                yield tracker.progress(min(n, start + batch_size), f"features of {what} texts")
        finally:
            hook.remove()
        feats = torch.cat(captured) if captured else torch.empty(0)
        out = torch.empty_like(feats)
        out[torch.tensor(order)] = feats
        return out

    def objective(self) -> None:
        """A classifier's cross-entropy, as the run configures it (class weights)."""
        return None

    def save(self, folder: Path) -> None:
        self.model.cpu().eval().save_pretrained(folder, safe_serialization=True)
        self.tokenizer.save_pretrained(folder)


def text_finetuner(
    base: str, classes: list[str], device: str, mode: str = "full"
) -> TextFinetuner | EncoderHeadFinetuner:
    """The `Finetuner` for a text base: in head mode (and for a frozen encoder) a head on the
    sentence embedding; in full mode the whole transformers classifier."""
    if mode == "head" or catalog.is_frozen(base, "text"):
        return EncoderHeadFinetuner(base, classes, device)
    return TextFinetuner(base, classes, device)
