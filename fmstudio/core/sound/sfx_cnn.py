"""The trainable sound network: the sound-effects CNN of PyPI's `aisfx` 0.1.2 (Ma & Lerch,
"Representation Learning for the Automatic Indexing of Sound Effects Libraries", ISMIR 2022;
CC BY 4.0, see NOTICE), a PANNs-style 9-layer CNN trained across nine sound-effects libraries.

Only its 512-d embedding is used: the nine heads it was trained with have no class names.
The package's `__init__` imports an old pinned librosa, so fmstudio never imports it: the
network is written here (the checkpoint's tensor names and shapes) and only the package's
checkpoint is read, or the safetensors copy a release carries.
"""

from __future__ import annotations

import functools
import importlib.util
from pathlib import Path
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from fmstudio.core.atomic import normal_mode
from fmstudio.core.errors import ModelUnavailableError

NAME = "sfx-cnn"
"""Its name in the catalogue."""
EMBEDDING = 512
PACKAGED = Path(__file__).resolve().parents[2] / "resources" / "sfx_cnn.safetensors"
"""The embedding's weights as a release carries them (`make dist` writes them from aisfx's
checkpoint): a pip install then needs no aisfx, whose librosa pin breaks on today's numpy."""
INSTALL_HINT = "pip install --no-deps aisfx==0.1.2"


class ConvBlock(nn.Module):
    """Two 3x3 convolutions with batch norm and ReLU, then max pooling."""

    def __init__(self, channels_in: int, channels_out: int, pool: int) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(channels_in, channels_out, 3, padding=1, bias=False)
        self.conv2 = nn.Conv2d(channels_out, channels_out, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(channels_out)
        self.bn2 = nn.BatchNorm2d(channels_out)
        self.pool = pool

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = F.relu(self.bn1(self.conv1(x)))
        x = F.relu(self.bn2(self.conv2(x)))
        return F.max_pool2d(x, self.pool) if self.pool > 1 else x


class SfxEmbedding(nn.Module):
    """(batch, frames, 96 mel bands) → (batch, 512): four blocks of 64-512 channels, the mean
    over frequency, then the maximum over time (so any number of frames works)."""

    def __init__(self) -> None:
        super().__init__()
        self.conv_block1 = ConvBlock(1, 64, 2)
        self.conv_block2 = ConvBlock(64, 128, 2)
        self.conv_block3 = ConvBlock(128, 256, 2)
        self.conv_block4 = ConvBlock(256, EMBEDDING, 1)

    def forward(self, mel: torch.Tensor) -> torch.Tensor:
        x = mel.unsqueeze(1)
        for block in (self.conv_block1, self.conv_block2, self.conv_block3, self.conv_block4):
            x = block(x)
        return x.mean(dim=3).amax(dim=2)


def checkpoint_path() -> Path:
    spec = importlib.util.find_spec("aisfx")
    if spec is None or spec.origin is None:
        raise ModelUnavailableError(f"the sound-effects CNN is not installed: {INSTALL_HINT}")
    path = Path(spec.origin).parent / "models" / "checkpoint.pth"
    if not path.is_file():
        raise ModelUnavailableError(f"the sound-effects CNN's checkpoint is missing: {path}")
    return path


def checkpoint_state() -> dict[str, torch.Tensor]:
    """The embedding's tensors from aisfx's checkpoint, a pickle of (state_dict, heads) whose
    head table holds numpy scalars: those two numpy names are allowed, nothing else."""
    import numpy as np
    from numpy._core.multiarray import scalar

    allowed: list[Any] = [
        (scalar, "numpy.core.multiarray.scalar"),
        np.dtype,
        np.dtypes.Int64DType,
    ]
    try:
        with torch.serialization.safe_globals(allowed):
            state, _heads = torch.load(checkpoint_path(), map_location="cpu", weights_only=True)
    except (OSError, RuntimeError, ValueError) as exc:
        raise ModelUnavailableError(f"the sound-effects CNN is unreadable: {exc}") from exc
    prefix = "embedding_net."
    return {k[len(prefix) :]: v for k, v in state.items() if k.startswith(prefix)}


def package_weights(target: Path = PACKAGED) -> Path:
    """Write the embedding's weights as safetensors for a release (see PACKAGED)."""
    from safetensors.torch import save_file

    save_file({k: v.contiguous() for k, v in checkpoint_state().items()}, str(target))
    target.chmod(normal_mode())  # safetensors writes 0600; a wheel keeps the mode it finds
    return target


@functools.lru_cache(maxsize=1)
def _pretrained_state() -> dict[str, torch.Tensor]:
    if PACKAGED.is_file():
        from safetensors.torch import load_file

        return load_file(str(PACKAGED))
    return checkpoint_state()


def pretrained() -> SfxEmbedding:
    """A fresh copy of the pretrained embedding (each training run changes its own)."""
    network = SfxEmbedding()
    network.load_state_dict(_pretrained_state())
    return network.eval()


def available() -> bool:
    """Whether the pretrained weights are here (a release's copy or the aisfx package)."""
    return PACKAGED.is_file() or importlib.util.find_spec("aisfx") is not None
