"""The sound-effects CNN's front end in torch, as its authors computed it with Essentia (aisfx
0.1.2's `spectrogram_essentia.py` and `inference.py`): 44.1 kHz mono scaled to a peak of 1,
Hann frames of 2048 samples every 1024 (the first centred on the first sample), power
spectrum, 96 HTK mel bands from 0 to 22050 Hz drawn in mel space with each band's weights
summing to 1, `log10(1e4 * mel + 1)` divided by 9.4578 (the largest value over the training
sets), and windows of 100 frames (2.3 s) every 50.

Checked against Essentia 2.1b6 itself (its FrameCutter, Windowing, Spectrum and MelBands with
aisfx's settings) on ten seconds of an AMI meeting clip: the largest difference in
`log10(1e4 * mel + 1)` was 2.3e-5, of values up to 8.5."""

from __future__ import annotations

import functools

import numpy as np
import torch

SAMPLE_RATE = 44_100
N_FFT, HOP = 2048, 1024
MELS = 96
LOG_SCALE = 1e4
TOP = 9.457798957824707
"""`spectrogram_normalize`'s "original" maximum (its minimum is 0)."""
WINDOW, WINDOW_HOP = 100, 50
"""Frames per window the network sees, and between windows' starts."""
WINDOW_S, WINDOW_HOP_S = WINDOW * HOP / SAMPLE_RATE, WINDOW_HOP * HOP / SAMPLE_RATE


@functools.lru_cache(maxsize=1)
def mel_filters() -> torch.Tensor:
    """(1025, 96) triangular HTK filters drawn in mel space, each band summing to 1."""
    from transformers.audio_utils import mel_filter_bank

    filters = np.asarray(
        mel_filter_bank(
            num_frequency_bins=N_FFT // 2 + 1,
            num_mel_filters=MELS,
            min_frequency=0.0,
            max_frequency=SAMPLE_RATE / 2,
            sampling_rate=SAMPLE_RATE,
            norm=None,
            mel_scale="htk",
            triangularize_in_mel_space=True,
        ),
        dtype=np.float64,
    )
    sums = filters.sum(axis=0, keepdims=True)
    return torch.from_numpy((filters / np.where(sums > 0, sums, 1.0)).astype(np.float32))


def peak_normalised(samples: np.ndarray) -> np.ndarray:
    """The clip scaled so that its loudest sample is ±1 (silence stays silence)."""
    peak = float(np.abs(samples).max()) if samples.size else 0.0
    return samples / peak if peak > 0 else samples


def mel_power(samples: np.ndarray) -> torch.Tensor:
    """(frames, 96) mel band power of mono 44.1 kHz samples, as they are (no scaling)."""
    wave = torch.from_numpy(np.ascontiguousarray(samples, dtype=np.float32))
    if wave.numel() < N_FFT // 2 + 1:  # reflect-free centring needs this much
        wave = torch.nn.functional.pad(wave, (0, N_FFT // 2 + 1 - wave.numel()))
    spectrum = torch.stft(
        wave,
        N_FFT,
        HOP,
        window=torch.hann_window(N_FFT, periodic=False),
        center=True,
        pad_mode="constant",
        return_complex=True,
    )
    power = spectrum.real**2 + spectrum.imag**2
    return power.T @ mel_filters()


def compress(power: torch.Tensor) -> torch.Tensor:
    """Mel power to the network's input scale (0 for silence, about 1 at the loudest)."""
    return torch.log10(power * LOG_SCALE + 1) / TOP


def expand(features: torch.Tensor) -> torch.Tensor:
    """`compress` undone: mel power again (augmentation mixes and scales in power)."""
    return (torch.pow(10.0, features * TOP) - 1) / LOG_SCALE


def log_mel(samples: np.ndarray) -> torch.Tensor:
    """(frames, 96) network input for mono 44.1 kHz samples of any length."""
    return compress(mel_power(peak_normalised(samples)))


def windows(features: torch.Tensor) -> torch.Tensor:
    """(N, 100, 96) windows every 50 frames, the last padded with silence (0) to the clip's
    end, so a clip shorter than a window is one window."""
    frames = features.shape[0]
    count = 1 + max(0, -(-(frames - WINDOW) // WINDOW_HOP))
    padded = torch.nn.functional.pad(
        features, (0, 0, 0, (count - 1) * WINDOW_HOP + WINDOW - frames)
    )
    return padded.unfold(0, WINDOW, WINDOW_HOP).transpose(1, 2).contiguous()


def loudness(batch: torch.Tensor) -> torch.Tensor:
    """Each window's mean input level: how much sound it holds (silence is 0)."""
    return batch.mean(dim=(1, 2))
