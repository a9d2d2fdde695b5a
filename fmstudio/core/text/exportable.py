"""A text model as an `Exportable`: token ids in; class logits (a fine-tuned classifier, or a
head on the sentence embedding) or sentence embeddings (the zero-shot encoder, pooling
included) out; its tokenizer beside it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import torch
from torch import nn

from fmstudio.core.errors import FmError
from fmstudio.core.export.graphs import Exportable, GraphSpec
from fmstudio.core.text.head_model import HeadClassifier
from fmstudio.core.text.models import CHECK_TEXTS, TextClassifier, TextEncoder, mean_pool


class _Logits(nn.Module):
    def __init__(self, model: nn.Module, names: tuple[str, ...]) -> None:
        super().__init__()
        self.model, self.names = model, names

    def forward(self, *inputs: torch.Tensor) -> torch.Tensor:
        logits: torch.Tensor = self.model(**dict(zip(self.names, inputs, strict=True))).logits
        return logits


class _Embeddings(_Logits):
    """The sentence embeddings `TextEncoder.embed` gives, pooling inside the graph."""

    def forward(self, *inputs: torch.Tensor) -> torch.Tensor:
        named = dict(zip(self.names, inputs, strict=True))
        return mean_pool(self.model(**named).last_hidden_state, named["attention_mask"])


class _HeadLogits(_Embeddings):
    """A head model's logits: the head on the pooled embedding, in one graph."""

    def __init__(self, model: nn.Module, names: tuple[str, ...], head: nn.Linear) -> None:
        super().__init__(model, names)
        self.head = head

    def forward(self, *inputs: torch.Tensor) -> torch.Tensor:
        logits: torch.Tensor = self.head(super().forward(*inputs))
        return logits


def exportable(model: object) -> Exportable:
    encoder = model.encoder if isinstance(model, HeadClassifier) else model
    if not isinstance(encoder, TextEncoder | TextClassifier):
        raise FmError(
            f"{getattr(model, 'name', 'this model')} runs on the NumPy multilingual encoder, "
            "not PyTorch, so it cannot be exported to ONNX or TorchScript"
        )
    batch = encoder.encode(list(CHECK_TEXTS))
    names = tuple(batch)  # input_ids, attention_mask (and token_type_ids for BERT)
    output = "embeddings" if model is encoder and isinstance(model, TextEncoder) else "logits"
    dynamic = {name: {0: "batch", 1: "tokens"} for name in names}
    spec = GraphSpec(names, (output,), {**dynamic, output: {0: "batch"}})
    module: nn.Module
    if isinstance(model, HeadClassifier):
        module = _HeadLogits(encoder.model, names, model.head)
    else:
        module = (_Embeddings if output == "embeddings" else _Logits)(encoder.model, names)
    labels = model.labels if isinstance(model, TextClassifier | HeadClassifier) else []
    return Exportable(
        module.eval(),
        tuple(batch[name] for name in names),
        spec,
        _metadata(labels, encoder.max_length, names, output),
        lambda folder: _save_tokenizer(encoder.tokenizer, folder),
    )


def _metadata(labels: list[str], max_length: int, names: tuple[str, ...], output: str) -> Any:
    return {
        "task": "text",
        "labels": labels,
        "max_length": max_length,
        "input": f"{', '.join(names)}: int64 [batch, tokens] from the tokenizer in this "
        f"folder (padding, truncation at {max_length} tokens)",
        "output": (
            "logits: float32 [batch, classes]; softmax gives probabilities"
            if output == "logits"
            else "embeddings: float32 [batch, dim], L2-normalised; cosine = dot product"
        ),
    }


def _save_tokenizer(tokenizer: Any, folder: Path) -> None:
    tokenizer.save_pretrained(str(folder))
