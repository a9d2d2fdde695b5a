"""A sound classifier trained by fmstudio: the sound-effects CNN's embedding and a linear head
for the user's classes, saved as safetensors with a config.json that names them.

It hears a recording as the tagger does, window by window (2.3 s every 1.16 s), so the same
classify job, timeline and table serve both; a recording's classes are the windows' scores
weighted by how loud each window is, so stretches of silence do not dilute the sound.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from fmstudio.core.atomic import atomic_write_text
from fmstudio.core.classify.calibration import calibration_of
from fmstudio.core.errors import ModelUnavailableError
from fmstudio.core.sound import sfx_cnn, sfx_frontend
from fmstudio.core.sound.heard import Heard

ARCHITECTURE = "sfx-cnn"
BATCH = 32


class SoundNet(nn.Module):
    """(batch, frames, 96) network input → (batch, classes) logits."""

    def __init__(self, embedding: sfx_cnn.SfxEmbedding, classes: int) -> None:
        super().__init__()
        self.embedding = embedding
        self.head = nn.Linear(sfx_cnn.EMBEDDING, classes)

    def forward(self, mel: torch.Tensor) -> torch.Tensor:
        logits: torch.Tensor = self.head(self.embedding(mel))
        return logits


def config(labels: list[str]) -> dict[str, Any]:
    """What config.json says: enough to rebuild the network and feed it."""
    return {
        "architecture": ARCHITECTURE,
        "label_names": list(labels),
        "frontend": {
            "sample_rate": sfx_frontend.SAMPLE_RATE,
            "n_fft": sfx_frontend.N_FFT,
            "hop": sfx_frontend.HOP,
            "mels": sfx_frontend.MELS,
            "window_frames": sfx_frontend.WINDOW,
            "window_hop_frames": sfx_frontend.WINDOW_HOP,
            "input": "peak-normalised mono; log10(1e4 * mel power + 1) / "
            f"{sfx_frontend.TOP}; mel: HTK, 0-22050 Hz, each band summing to 1",
        },
    }


def save(network: SoundNet, labels: list[str], folder: Path) -> None:
    from safetensors.torch import save_file

    folder.mkdir(parents=True, exist_ok=True)
    state = {k: v.detach().cpu().contiguous() for k, v in network.state_dict().items()}
    save_file(state, str(folder / "model.safetensors"))
    atomic_write_text(folder / "config.json", json.dumps(config(labels), indent=2))


@dataclass
class SoundClassifier:
    """A trained sound classifier on its device, with the tagger's way of hearing."""

    name: str
    network: SoundNet
    labels: list[str]
    device: str = "cpu"
    meta: dict[str, Any] = field(default_factory=dict)
    sample_rate: int = sfx_frontend.SAMPLE_RATE
    window_s: float = sfx_frontend.WINDOW_S
    hop_s: float = sfx_frontend.WINDOW_HOP_S
    runtime: str = "PyTorch"
    fast: Callable[[torch.Tensor], torch.Tensor] | None = None
    """A faster forward pass checked against `network` (ONNX Runtime on CPU), if any."""
    temperature: float = 1.0
    """The logits are divided by it before the softmax (calibration, from model.json)."""

    @torch.inference_mode()
    def logits(self, batch: torch.Tensor) -> torch.Tensor:
        if self.fast is not None:
            return self.fast(batch)
        out: torch.Tensor = self.network(batch.to(self.device))
        return out.float().cpu()

    def hear(self, samples: np.ndarray) -> Heard:
        """Each window's class probabilities, and its loudness as its weight."""
        batch = sfx_frontend.windows(sfx_frontend.log_mel(samples))
        scores = torch.cat(
            [
                (self.logits(batch[i : i + BATCH]) / self.temperature).softmax(-1)
                for i in range(0, len(batch), BATCH)
            ]
        )
        weights = sfx_frontend.loudness(batch).numpy()
        return Heard(scores.numpy(), weights if weights.sum() > 0 else None)


def load_library(folder: Path, device: str = "cpu") -> SoundClassifier:
    """A sound classifier fmstudio saved (config.json + model.safetensors)."""
    from safetensors.torch import load_file

    config_file, weights = folder / "config.json", folder / "model.safetensors"
    if not config_file.is_file() or not weights.is_file():
        raise ModelUnavailableError(
            f"{folder} is not a sound model (needs config.json and model.safetensors)"
        )
    saved = json.loads(config_file.read_text(encoding="utf-8"))
    labels = list(saved.get("label_names") or [])
    if saved.get("architecture") != ARCHITECTURE or not labels:
        raise ModelUnavailableError(f"{config_file} is not an fmstudio sound classifier")
    network = SoundNet(sfx_cnn.SfxEmbedding(), len(labels))
    network.load_state_dict(load_file(str(weights)))
    loaded = SoundClassifier(folder.name, network.eval().to(device), labels, device, saved)
    loaded.temperature = calibration_of(folder).temperature
    return loaded
