"""Whisper as a torch model for training: load any base, compute features, decode, save back.

Features are computed exactly as faster-whisper computes them at inference (the log-mel of
the audio, then the *features* zero-padded to 3000 frames), because the two stacks pad
differently and a model trained on the other padding transcribes worse. Greedy decoding
masks the same tokens faster-whisper masks, so a rebuilt model decodes the same text.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import torch

from fmstudio.core.errors import FmError, ModelUnavailableError
from fmstudio.core.hub import load_cached_or_online
from fmstudio.core.speech.ct2_file import rebuild
from fmstudio.core.speech.models import bundled_folder

BUNDLED = "whisper-tiny.en"
TRANSFORMERS_DIR = "transformers"
"""Inside a saved speech model: the torch weights that train further (beside model.bin)."""
N_FRAMES = 3000
MAX_NEW_TOKENS = 224


@dataclass(frozen=True)
class WhisperTokens:
    """The special tokens that frame a transcript and those decoding never emits."""

    sot: int
    eot: int
    no_timestamps: int
    timestamp_begin: int
    suppress: tuple[int, ...]
    suppress_begin: tuple[int, ...]

    @property
    def prompt(self) -> list[int]:
        """English-only prompt; multilingual models take `<|en|><|transcribe|>` after sot."""
        return [self.sot, self.no_timestamps]


@dataclass
class Trainable:
    """A Whisper model, its tokenizer and special tokens, ready to train."""

    model: Any
    tokenizer: Any
    tokens: WhisperTokens
    prompt: list[int]


def _tokens(tokenizer: Any, generation: Any) -> WhisperTokens:
    def id_of(token: str) -> int:
        value = tokenizer.convert_tokens_to_ids(token)
        if value is None or tokenizer.convert_ids_to_tokens(value) != token:
            raise FmError(f"the tokenizer has no {token} token; it is not a Whisper tokenizer")
        return int(value)

    no_timestamps = id_of("<|notimestamps|>")
    return WhisperTokens(
        sot=id_of("<|startoftranscript|>"),
        eot=id_of("<|endoftext|>"),
        no_timestamps=no_timestamps,
        timestamp_begin=no_timestamps + 1,  # as Whisper numbers them (some files omit them)
        suppress=tuple(getattr(generation, "suppress_tokens", None) or ()),
        suppress_begin=tuple(getattr(generation, "begin_suppress_tokens", None) or ()),
    )


def _prompt(tokenizer: Any, tokens: WhisperTokens) -> list[int]:
    if len(tokenizer) <= 51864:
        return tokens.prompt
    english = tokenizer.convert_tokens_to_ids("<|en|>")
    transcribe = tokenizer.convert_tokens_to_ids("<|transcribe|>")
    return [tokens.sot, int(english), int(transcribe), tokens.no_timestamps]


def _from_ct2(folder: Path) -> tuple[Any, Any]:
    from transformers import WhisperTokenizer

    model = rebuild(folder)
    tokenizer = WhisperTokenizer(tokenizer_file=str(folder / "tokenizer.json"))
    return model, tokenizer


def _from_transformers(source: str) -> tuple[Any, Any]:
    from transformers import WhisperForConditionalGeneration, WhisperTokenizer

    model = WhisperForConditionalGeneration.from_pretrained(source)
    return model.float().eval(), WhisperTokenizer.from_pretrained(source)


def _source(base: str) -> tuple[str, Path | None]:
    """What kind of base `base` is: bundled, ct2 folder, transformers folder, or hub id."""
    if base == BUNDLED:
        return "ct2", bundled_folder()
    folder = Path(base).expanduser()
    if folder.is_dir():
        if (folder / TRANSFORMERS_DIR / "config.json").is_file():
            return "transformers", folder / TRANSFORMERS_DIR
        if (folder / "config.json").is_file() and not (folder / "model.bin").is_file():
            return "transformers", folder
        if (folder / "model.bin").is_file():
            return "ct2", folder
        raise FmError(f"{folder} holds no Whisper model (no model.bin or config.json)")
    if base.startswith((".", "/", "~")) or "\\" in base:
        raise ModelUnavailableError(f"model folder {base} does not exist")
    return "hub", None


def load_trainable(base: str) -> Trainable:
    """The base as a float32 transformers Whisper: the bundled model, a folder, or a hub id.

    A faster-whisper size name (`base.en`) stands for OpenAI's checkpoint on the hub.
    """
    kind, folder = _source(base)
    if kind == "ct2" and folder is not None:
        model, tokenizer = _from_ct2(folder)
    elif kind == "transformers" and folder is not None:
        model, tokenizer = _from_transformers(str(folder))
    else:
        hub_id = base if "/" in base else f"openai/whisper-{base}"
        model, tokenizer = load_cached_or_online(hub_id, lambda: _from_transformers(hub_id))
    if model.config.model_type != "whisper":
        raise FmError(f"{base} is a {model.config.model_type} model, not Whisper")
    tokens = _tokens(tokenizer, model.generation_config)
    return Trainable(model, tokenizer, tokens, _prompt(tokenizer, tokens))


@cache
def _extractor(n_mels: int) -> Any:
    from faster_whisper.feature_extractor import FeatureExtractor

    return FeatureExtractor(feature_size=n_mels)


def log_mel(audio: np.ndarray, n_mels: int = 80) -> np.ndarray:
    """Whisper's input as faster-whisper computes it for a clip under 30 s: float16 [mels, 3000]."""
    features = _extractor(n_mels)(audio)[:, :-1][:, :N_FRAMES]
    padded = np.zeros((n_mels, N_FRAMES), dtype=np.float16)
    padded[:, : features.shape[1]] = features
    return padded


def _mask(tokens: WhisperTokens, vocab: int, device: torch.device) -> tuple[torch.Tensor, ...]:
    always = torch.zeros(vocab, dtype=torch.bool, device=device)
    always[list(tokens.suppress)] = True
    always[tokens.timestamp_begin :] = True
    always[tokens.no_timestamps] = True
    first = always.clone()
    first[list(tokens.suppress_begin)] = True
    return always, first


@torch.no_grad()
def greedy_decode(
    model: Any,
    features: torch.Tensor,
    tokens: WhisperTokens,
    prompt: list[int],
    max_new: int = MAX_NEW_TOKENS,
    check_every: int | None = None,
) -> list[list[int]]:
    """Each clip's text tokens by greedy search, masking what faster-whisper masks.

    The tokens stay on the device until the end; whether every clip has ended is asked every
    `check_every` steps (1 on a CPU; 8 on a GPU, where each question waits for the GPU and a
    few extra steps after the last clip ends cost less than the waits)."""
    batch, device = features.shape[0], features.device
    every = check_every or (8 if device.type == "cuda" else 1)
    encoded = model.model.encoder(features).last_hidden_state
    always, first = _mask(tokens, model.config.vocab_size, device)
    ids = torch.tensor([prompt] * batch, device=device)
    done = torch.zeros(batch, dtype=torch.bool, device=device)
    chosen: list[torch.Tensor] = []
    past = None
    for step in range(max_new):
        result = model.model.decoder(
            input_ids=ids, encoder_hidden_states=encoded, past_key_values=past, use_cache=True
        )
        past = result.past_key_values
        logits = model.proj_out(result.last_hidden_state[:, -1]).float()
        logits.masked_fill_(first if step == 0 else always, float("-inf"))
        next_ids = logits.argmax(-1)
        chosen.append(next_ids)
        done |= next_ids == tokens.eot
        if (step + 1) % every == 0 and bool(done.all()):
            break
        ids = next_ids[:, None]
    rows: list[list[int]] = torch.stack(chosen, 1).tolist() if chosen else [[]] * batch
    return [row[: row.index(tokens.eot)] if tokens.eot in row else row for row in rows]


def save_for_faster_whisper(trainable: Trainable, folder: Path) -> None:
    """Write the model so that `faster_whisper.WhisperModel(folder)` loads it (int8), with
    the transformers weights (safetensors) in `folder/transformers` for further training."""
    from ctranslate2.converters import TransformersConverter

    weights = folder / TRANSFORMERS_DIR
    model = trainable.model
    generation = model.generation_config
    generation.no_timestamps_token_id = trainable.tokens.no_timestamps
    generation.decoder_start_token_id = trainable.tokens.sot
    model.save_pretrained(weights, safe_serialization=True)
    trainable.tokenizer.save_pretrained(weights)
    converted = folder / ".ct2"
    TransformersConverter(str(weights), copy_files=["tokenizer.json"]).convert(
        str(converted), quantization="int8", force=True
    )
    for item in converted.iterdir():
        item.rename(folder / item.name)
    converted.rmdir()
    _check_converted(folder)


def _check_converted(folder: Path) -> None:
    config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
    if not (folder / "model.bin").is_file() or "suppress_ids" not in config:
        raise FmError(f"converting to CTranslate2 did not write a whole model in {folder}")
