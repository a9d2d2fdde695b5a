"""Speaker embeddings: Resemblyzer's GE2E voice encoder, run by a small module of our own.

Only the package's weights file is used (`resemblyzer/pretrained.pt`, a plain state dict):
the package itself imports librosa and webrtcvad, which fmstudio does not need. The mel
front end below reproduces the one the weights were trained with (librosa's power mel
spectrogram: 25 ms Hann windows every 10 ms, 40 Slaney mel bands, zero-padded centres),
and the input is brought to −30 dBFS as Resemblyzer does, because the network sees power,
not log power, so loudness changes its answer.
"""

from __future__ import annotations

import functools
import importlib.util
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import torch
from torch import nn

from fmstudio.core.atomic import normal_mode
from fmstudio.core.data.audio import SAMPLE_RATE
from fmstudio.core.errors import ModelUnavailableError

HOP = SAMPLE_RATE // 100
"""Samples per mel frame (10 ms)."""
N_FFT = SAMPLE_RATE * 25 // 1000
N_MELS = 40
WINDOW_FRAMES = 160
"""Frames in one embedding window (1.6 s), the length the encoder was trained on."""
TARGET_DBFS = -30.0
EMBEDDING_SIZE = 256
INSTALL_HINT = "pip install --no-deps Resemblyzer==0.1.4 (make setup does this)"


class SpeakerEncoder(nn.Module):
    """Three LSTM layers over mel frames; the last state, projected, is the 256-d voice."""

    def __init__(self) -> None:
        super().__init__()
        self.lstm = nn.LSTM(N_MELS, 256, 3, batch_first=True)
        self.linear = nn.Linear(256, EMBEDDING_SIZE)

    def forward(self, mels: torch.Tensor) -> torch.Tensor:
        _, (hidden, _) = self.lstm(mels)
        raw: torch.Tensor = torch.relu(self.linear(hidden[-1]))
        unit: torch.Tensor = raw / raw.norm(dim=1, keepdim=True).clamp(min=1e-9)
        return unit


PACKAGED = Path(__file__).resolve().parents[2] / "resources" / "speaker_encoder.safetensors"
"""The weights as a release carries them (`make dist` writes them from Resemblyzer's file):
a pip install then needs no Resemblyzer, whose declared webrtcvad compiles from source."""


def resemblyzer_weights() -> Path:
    spec = importlib.util.find_spec("resemblyzer")
    if spec is None or spec.origin is None:
        raise ModelUnavailableError(f"the speaker encoder is not installed: {INSTALL_HINT}")
    path = Path(spec.origin).parent / "pretrained.pt"
    if not path.is_file():
        raise ModelUnavailableError(f"the speaker encoder's weights are missing: {path}")
    return path


def resemblyzer_state() -> dict[str, torch.Tensor]:
    """The encoder's tensors from Resemblyzer's own file (its similarity scale left out)."""
    checkpoint = torch.load(resemblyzer_weights(), map_location="cpu", weights_only=True)
    return {k: v for k, v in checkpoint["model_state"].items() if not k.startswith("similarity")}


def package_weights(target: Path = PACKAGED) -> Path:
    """Write the encoder's weights as safetensors for a release (see PACKAGED)."""
    from safetensors.torch import save_file

    save_file({k: v.contiguous() for k, v in resemblyzer_state().items()}, str(target))
    target.chmod(normal_mode())  # safetensors writes 0600; a wheel keeps the mode it finds
    return target


@functools.lru_cache(maxsize=2)
def load_encoder(device: str = "cpu") -> SpeakerEncoder:
    """The encoder on `device`: a GPU runs the LSTM over a meeting's windows in batches of
    hundreds (cuDNN), where the CPU takes seconds a minute of speech."""
    if PACKAGED.is_file():
        from safetensors.torch import load_file

        state = load_file(str(PACKAGED))
    else:
        state = resemblyzer_state()
    encoder = SpeakerEncoder()
    encoder.load_state_dict(state)
    return encoder.eval().to(device)


@functools.lru_cache(maxsize=1)
def _mel_filters() -> np.ndarray:
    from transformers.audio_utils import mel_filter_bank

    filters: np.ndarray = mel_filter_bank(
        num_frequency_bins=N_FFT // 2 + 1,
        num_mel_filters=N_MELS,
        min_frequency=0.0,
        max_frequency=SAMPLE_RATE / 2,
        sampling_rate=SAMPLE_RATE,
        norm="slaney",
        mel_scale="slaney",
    )
    return filters.astype(np.float32)


def normalise_loudness(audio: np.ndarray, speech: np.ndarray | None = None) -> np.ndarray:
    """The audio scaled so its speech (or all of it) sits at −30 dBFS."""
    part = audio[speech] if speech is not None and speech.any() else audio
    rms = float(np.sqrt(np.mean(np.square(part, dtype=np.float64)))) if len(part) else 0.0
    if rms < 1e-6:
        return audio
    return (audio * (10 ** (TARGET_DBFS / 20) / rms)).astype(np.float32)


def mel_frames(audio: np.ndarray) -> np.ndarray:
    """Power mel spectrogram, one row per 10 ms frame (frame i is centred at i × 10 ms)."""
    padded = np.pad(audio.astype(np.float32), N_FFT // 2)
    count = 1 + max(0, len(padded) - N_FFT) // HOP
    window = np.hanning(N_FFT + 1)[:N_FFT].astype(np.float32)  # periodic, as librosa's
    frames = np.lib.stride_tricks.sliding_window_view(padded, N_FFT)[::HOP][:count]
    power = np.abs(np.fft.rfft(frames * window, axis=1)) ** 2
    mels: np.ndarray = power.astype(np.float32) @ _mel_filters()
    return mels.astype(np.float32)


@torch.inference_mode()
def embed_windows(
    mels: np.ndarray, windows: Sequence[tuple[int, int]], device: str = "cpu"
) -> np.ndarray:
    """One unit-length voice vector per window (first frame, frame count); windows of one
    length go through the encoder together, more of them at once on a GPU."""
    encoder = load_encoder(device)
    batch = 512 if device.startswith("cuda") else 64
    out = np.zeros((len(windows), EMBEDDING_SIZE), dtype=np.float32)
    by_length: dict[int, list[int]] = {}
    for index, (_, frames) in enumerate(windows):
        by_length.setdefault(frames, []).append(index)
    for frames, indices in by_length.items():
        for i in range(0, len(indices), batch):
            picked = indices[i : i + batch]
            chunk = np.stack([mels[windows[j][0] : windows[j][0] + frames] for j in picked])
            out[picked] = encoder(torch.from_numpy(chunk).to(device)).cpu().numpy()
    return out
