"""Read a CTranslate2 Whisper `model.bin` into tensors, and rebuild it as a transformers model.

faster-whisper can only run a model; training needs torch. The bundled tiny.en ships only as
CTranslate2, so its weights are read from the binary file (format: `../shared/MODELS.md`)
and mapped onto `WhisperForConditionalGeneration`: fused q/k/v split, the k projections
without bias (Whisper has none), the output projection tied to the token embeddings.
"""

from __future__ import annotations

import json
import re
import struct
from pathlib import Path
from typing import Any

import numpy as np

from fmstudio.core.errors import FmError

ENGLISH_VOCAB = 51864
"""English-only Whisper models have one token fewer; their special tokens sit one lower."""
_DTYPES = {0: np.float32, 1: np.int8, 2: np.int16, 3: np.int32, 4: np.float16}


class _Reader:
    def __init__(self, data: bytes) -> None:
        self.data, self.at = data, 0

    def number(self, fmt: str) -> int:
        (value,) = struct.unpack_from(fmt, self.data, self.at)
        self.at += struct.calcsize(fmt)
        return int(value)

    def string(self) -> str:
        size = self.number("<H")
        text = self.data[self.at : self.at + size].decode("utf-8").rstrip("\0")
        self.at += size
        return text

    def array(self) -> np.ndarray:
        dims = [self.number("<I") for _ in range(self.number("<B"))]
        dtype = _DTYPES[self.number("<B")]
        size = self.number("<I")
        values = np.frombuffer(
            self.data, dtype=dtype, count=size // np.dtype(dtype).itemsize, offset=self.at
        )
        self.at += size
        return values.reshape(dims)


def read_variables(path: Path) -> dict[str, np.ndarray]:
    """Every variable of a CTranslate2 model file, aliases resolved, by name."""
    reader = _Reader(path.read_bytes())
    try:
        version = reader.number("<I")
        if version < 5:
            raise FmError(f"{path}: CTranslate2 model version {version} is too old to read")
        spec = reader.string()
        if spec != "WhisperSpec":
            raise FmError(f"{path} holds a {spec}, not a Whisper model")
        reader.number("<I")  # spec revision
        variables = {reader.string(): reader.array() for _ in range(reader.number("<I"))}
        for _ in range(reader.number("<I")):
            alias, target = reader.string(), reader.string()
            variables[alias] = variables[target]
    except (struct.error, KeyError, UnicodeDecodeError, ValueError) as exc:
        raise FmError(f"{path} is not a readable CTranslate2 model file ({exc})") from exc
    return variables


def _attention(v: dict[str, np.ndarray], src: str, dst: str, fused: str) -> dict[str, Any]:
    """q/k/v/out for one attention block. `fused` is the linear holding k and v (or q, k, v)."""
    out: dict[str, Any] = {}
    if fused == "linear_0":  # self-attention: q, k, v in one
        q, k, value = np.split(v[f"{src}/linear_0/weight"], 3)
        qb, _, vb = np.split(v[f"{src}/linear_0/bias"], 3)
        out_name = "linear_1"
    else:  # cross-attention: q alone, then k and v fused
        q, qb = v[f"{src}/linear_0/weight"], v[f"{src}/linear_0/bias"]
        k, value = np.split(v[f"{src}/linear_1/weight"], 2)
        _, vb = np.split(v[f"{src}/linear_1/bias"], 2)
        out_name = "linear_2"
    out.update(
        {
            f"{dst}.q_proj.weight": q,
            f"{dst}.q_proj.bias": qb,
            f"{dst}.k_proj.weight": k,
            f"{dst}.v_proj.weight": value,
            f"{dst}.v_proj.bias": vb,
            f"{dst}.out_proj.weight": v[f"{src}/{out_name}/weight"],
            f"{dst}.out_proj.bias": v[f"{src}/{out_name}/bias"],
        }
    )
    return out


def _norm(v: dict[str, np.ndarray], src: str, dst: str) -> dict[str, Any]:
    return {f"{dst}.weight": v[f"{src}/gamma"], f"{dst}.bias": v[f"{src}/beta"]}


def _ffn(v: dict[str, np.ndarray], src: str, dst: str) -> dict[str, Any]:
    return {
        f"{dst}.fc1.weight": v[f"{src}/linear_0/weight"],
        f"{dst}.fc1.bias": v[f"{src}/linear_0/bias"],
        f"{dst}.fc2.weight": v[f"{src}/linear_1/weight"],
        f"{dst}.fc2.bias": v[f"{src}/linear_1/bias"],
        **_norm(v, f"{src}/layer_norm", f"{dst}.final_layer_norm"),
    }


def _layers(v: dict[str, np.ndarray], stack: str) -> int:
    return len({k.split("/")[1] for k in v if re.match(rf"{stack}/layer_\d+/", k)})


def state_dict(v: dict[str, np.ndarray]) -> dict[str, Any]:
    """The transformers state dict (numpy arrays) for the CTranslate2 variables `v`."""
    s: dict[str, Any] = {
        "model.encoder.conv1.weight": v["encoder/conv1/weight"],
        "model.encoder.conv1.bias": v["encoder/conv1/bias"],
        "model.encoder.conv2.weight": v["encoder/conv2/weight"],
        "model.encoder.conv2.bias": v["encoder/conv2/bias"],
        "model.encoder.embed_positions.weight": v["encoder/position_encodings/encodings"],
        "model.decoder.embed_tokens.weight": v["decoder/embeddings/weight"],
        "model.decoder.embed_positions.weight": v["decoder/position_encodings/encodings"],
        **_norm(v, "encoder/layer_norm", "model.encoder.layer_norm"),
        **_norm(v, "decoder/layer_norm", "model.decoder.layer_norm"),
    }
    for i in range(_layers(v, "encoder")):
        src, dst = f"encoder/layer_{i}", f"model.encoder.layers.{i}"
        s.update(_attention(v, f"{src}/self_attention", f"{dst}.self_attn", "linear_0"))
        s.update(_norm(v, f"{src}/self_attention/layer_norm", f"{dst}.self_attn_layer_norm"))
        s.update(_ffn(v, f"{src}/ffn", dst))
    for i in range(_layers(v, "decoder")):
        src, dst = f"decoder/layer_{i}", f"model.decoder.layers.{i}"
        s.update(_attention(v, f"{src}/self_attention", f"{dst}.self_attn", "linear_0"))
        s.update(_norm(v, f"{src}/self_attention/layer_norm", f"{dst}.self_attn_layer_norm"))
        s.update(_attention(v, f"{src}/attention", f"{dst}.encoder_attn", "linear_1"))
        s.update(_norm(v, f"{src}/attention/layer_norm", f"{dst}.encoder_attn_layer_norm"))
        s.update(_ffn(v, f"{src}/ffn", dst))
    return s


def whisper_config(v: dict[str, np.ndarray], folder: Path) -> dict[str, Any]:
    """`WhisperConfig` arguments from the tensors' shapes and the folder's `config.json`."""
    vocab, d_model = v["decoder/embeddings/weight"].shape
    eot, start = (50256, 50257) if vocab == ENGLISH_VOCAB else (50257, 50258)
    extra = json.loads((folder / "config.json").read_text(encoding="utf-8"))
    return {
        "vocab_size": int(vocab),
        "num_mel_bins": int(v["encoder/conv1/weight"].shape[1]),
        "d_model": int(d_model),
        "encoder_layers": _layers(v, "encoder"),
        "decoder_layers": _layers(v, "decoder"),
        "encoder_attention_heads": int(v["encoder/num_heads"]),
        "decoder_attention_heads": int(v["decoder/num_heads"]),
        "encoder_ffn_dim": int(v["encoder/layer_0/ffn/linear_0/weight"].shape[0]),
        "decoder_ffn_dim": int(v["decoder/layer_0/ffn/linear_0/weight"].shape[0]),
        "max_source_positions": int(v["encoder/position_encodings/encodings"].shape[0]),
        "max_target_positions": int(v["decoder/position_encodings/encodings"].shape[0]),
        "bos_token_id": eot,
        "eos_token_id": eot,
        "pad_token_id": eot,
        "decoder_start_token_id": start,
        "suppress_tokens": list(extra.get("suppress_ids", [])),
        "begin_suppress_tokens": list(extra.get("suppress_ids_begin", [])),
        "tie_word_embeddings": True,
    }


def rebuild(folder: Path) -> Any:
    """The CTranslate2 Whisper in `folder` as a float32 transformers model (eval mode)."""
    import torch
    from transformers import WhisperConfig, WhisperForConditionalGeneration

    variables = read_variables(folder / "model.bin")
    model = WhisperForConditionalGeneration(WhisperConfig(**whisper_config(variables, folder)))
    weights = {
        k: torch.from_numpy(np.asarray(a, dtype=np.float32))
        for k, a in state_dict(variables).items()
    }
    missing, unexpected = model.load_state_dict(weights, strict=False)
    missing = [k for k in missing if k != "proj_out.weight" and not k.endswith("k_proj.bias")]
    if missing or unexpected:
        raise FmError(
            f"{folder}: the model does not map onto Whisper (missing {missing[:3]}, "
            f"unexpected {unexpected[:3]})"
        )
    for name, module in model.named_modules():
        if name.endswith("k_proj") and module.bias is not None:
            raise FmError("Whisper k projections must have no bias")
    model.tie_weights()
    extra = json.loads((folder / "config.json").read_text(encoding="utf-8"))
    # Kept for word timestamps after the model is converted back.
    setattr(model.generation_config, "alignment_heads", extra.get("alignment_heads", []))  # noqa: B010
    return model.eval()
