"""YAMNet's front end: the mel filters from their definition, frames and patches in time."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from fmstudio.core.sound.frontend import (
    HIGHEST_HZ,
    LOWEST_HZ,
    MELS,
    N_FFT,
    PATCH,
    log_mel,
    mel_filters,
    patches,
)


def _htk(hz: np.ndarray) -> np.ndarray:
    return 2595.0 * np.log10(1.0 + hz / 700.0)


def test_the_mel_filters_are_htk_triangles_between_125_and_7500_hz() -> None:
    """Built here from the definition (torchaudio's melscale_fbanks, which the model's front
    end used): a triangle per band over the FFT bins' frequencies, peaks at equal mel steps."""
    bins = np.linspace(0, 8000, N_FFT // 2 + 1)
    edges_mel = np.linspace(_htk(np.array(LOWEST_HZ)), _htk(np.array(HIGHEST_HZ)), MELS + 2)
    edges = 700.0 * (10 ** (edges_mel / 2595.0) - 1.0)
    rising = (bins[:, None] - edges[None, :-2]) / np.diff(edges)[None, :-1]
    falling = (edges[None, 2:] - bins[:, None]) / np.diff(edges)[None, 1:]
    expected = np.maximum(0, np.minimum(rising, falling))
    assert mel_filters().shape == (257, 64)
    np.testing.assert_allclose(mel_filters().numpy(), expected, atol=1e-5)


def test_a_tone_lights_the_band_that_holds_its_frequency() -> None:
    seconds, hz = 2.0, 1000.0
    tone = 0.5 * np.sin(2 * np.pi * hz * np.arange(int(16000 * seconds)) / 16000)
    mel = log_mel(tone.astype(np.float32))
    assert mel.shape == (1 + (32000 - 512) // 160, 64)  # frames every 10 ms, none padded in
    peak = int(mel.mean(0).argmax())
    weights = mel_filters()[round(hz / 8000 * 256)]
    assert weights[peak] == weights.max()


def test_patches_cover_the_clip_every_048_s_and_pad_a_short_one_with_silence() -> None:
    mel = torch.zeros(300, MELS)
    assert patches(mel).shape == (1 + (300 - PATCH) // 48, 1, PATCH, MELS)
    short = patches(log_mel(np.zeros(1600, dtype=np.float32)))  # 0.1 s
    assert short.shape == (1, 1, PATCH, MELS)
    assert short[0, 0, -1].max() == pytest.approx(np.log(1e-6))
