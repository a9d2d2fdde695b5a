"""The sound-effects CNN's front end and training augmentation, from their definitions."""

from __future__ import annotations

import random

import numpy as np
import pytest
import torch

from fmstudio.core.sound import augment, sfx_frontend
from fmstudio.core.sound.sfx_frontend import MELS, SAMPLE_RATE, WINDOW


def _htk_hz(mel: np.ndarray) -> np.ndarray:
    return 700.0 * (10 ** (mel / 2595.0) - 1.0)


def test_each_band_sums_to_one_and_peaks_at_equal_htk_mel_steps() -> None:
    filters = sfx_frontend.mel_filters().numpy()
    assert filters.shape == (1025, MELS)
    assert np.allclose(filters.sum(axis=0), 1.0, atol=1e-5)
    top_mel = 2595.0 * np.log10(1 + (SAMPLE_RATE / 2) / 700.0)
    centres = _htk_hz(np.linspace(0, top_mel, MELS + 2)[1:-1])
    bins = np.linspace(0, SAMPLE_RATE / 2, 1025)
    peaks = bins[filters.argmax(axis=0)]
    bin_width = bins[1]
    assert np.all(np.abs(peaks - centres) <= bin_width)


def test_a_tone_lights_its_band_and_loudness_does_not_matter() -> None:
    t = np.arange(SAMPLE_RATE) / SAMPLE_RATE
    tone = np.sin(2 * np.pi * 1000 * t)
    loud, quiet = sfx_frontend.log_mel(tone), sfx_frontend.log_mel(0.01 * tone)
    assert torch.allclose(loud, quiet, atol=1e-4)  # peak-normalised
    filters = sfx_frontend.mel_filters().numpy()
    bin_1k = round(1000 / (SAMPLE_RATE / 2048))
    assert int(loud[20].argmax()) in set(np.nonzero(filters[bin_1k])[0])
    assert loud.max() <= 1.0 and float(sfx_frontend.log_mel(np.zeros(4410)).abs().max()) == 0


def test_windows_cover_the_clip_and_pad_only_the_end() -> None:
    frames = torch.arange(1, 231, dtype=torch.float32)[:, None].repeat(1, MELS)
    windows = sfx_frontend.windows(frames)
    assert windows.shape == (4, WINDOW, MELS)  # starts 0, 50, 100, 150
    assert windows[3, 79, 0] == 230 and windows[3, 80, 0] == 0
    assert sfx_frontend.windows(frames[:30]).shape == (1, WINDOW, MELS)


def test_compress_and_expand_undo_each_other() -> None:
    power = torch.rand(10, MELS) * 3
    assert torch.allclose(sfx_frontend.expand(sfx_frontend.compress(power)), power, rtol=1e-4)


def test_augmented_windows_are_shifted_masked_views_of_the_clip() -> None:
    short = sfx_frontend.log_mel(np.sin(np.arange(20_000) / 5.0))  # 20 frames of tone
    views = [augment.augmented_window(short, random.Random(seed)) for seed in range(20)]
    assert all(v.shape == (WINDOW, MELS) for v in views)
    onsets = {int((v.sum(dim=1) > 0.5).nonzero()[0, 0]) for v in views}
    assert len(onsets) > 5  # the clip lands at many places
    masked = [v for v in views if ((v == 0).all(dim=0)).any()]
    assert masked  # some band of frequencies silenced for the whole window
    plain = augment.shifted_window(short, random.Random(0))
    assert float(plain.sum()) == pytest.approx(float(short.float().sum()), rel=1e-3)
