"""Random changes to a training window that leave its sound the same: where in the clip it is
heard (time shift), how loud it is, what noise lies under it, and a band of frequencies or a
stretch of time masked out (SpecAugment).

They work on the network's input, in mel power: the input is `log10(1e4 * power + 1)`, so a
gain is a product and a noise a sum of powers, undone and redone exactly. Every input is
peak-normalised first, so gain moves a sound against the `+ 1` floor of the log (a quiet room
recorded loud, a loud one faint), which is what varies between recordings.
"""

from __future__ import annotations

import random

import torch

from fmstudio.core.sound import sfx_frontend
from fmstudio.core.sound.sfx_frontend import MELS, WINDOW

GAIN_DB = 6.0
NOISE_SNR_DB = (10.0, 30.0)
NOISE_CHANCE = 0.5
TIME_MASK, FREQ_MASK = 12, 10
"""The longest masks: 12 frames (0.28 s), 10 mel bands."""


def shifted_window(clip: torch.Tensor, rng: random.Random) -> torch.Tensor:
    """A window of `clip` from a random start; a short clip at a random place in silence."""
    frames = clip.shape[0]
    if frames >= WINDOW:
        start = rng.randint(0, frames - WINDOW)
        return clip[start : start + WINDOW].float()
    before = rng.randint(0, WINDOW - frames)
    return torch.nn.functional.pad(clip.float(), (0, 0, before, WINDOW - frames - before))


def _noise(power: torch.Tensor, rng: random.Random) -> torch.Tensor:
    """Noise whose spectrum falls from white to about brown, at a random SNR under `power`."""
    snr_db = rng.uniform(*NOISE_SNR_DB)
    tilt = torch.linspace(1.0, 0.02, MELS) ** rng.uniform(0.0, 2.0)
    noise = torch.empty_like(power).exponential_() * tilt
    level = power.mean() / noise.mean().clamp_min(1e-12) * 10 ** (-snr_db / 10)
    return noise * level


def _mask(window: torch.Tensor, rng: random.Random) -> torch.Tensor:
    """One stretch of time and one band of frequencies set to silence."""
    out = window.clone()
    length = rng.randint(0, TIME_MASK)
    start = rng.randint(0, WINDOW - length)
    out[start : start + length] = 0
    width = rng.randint(0, FREQ_MASK)
    low = rng.randint(0, MELS - width)
    out[:, low : low + width] = 0
    return out


def augmented_window(clip: torch.Tensor, rng: random.Random) -> torch.Tensor:
    """A training view of a clip's input: shift, gain, noise (half the time), masks."""
    power = sfx_frontend.expand(shifted_window(clip, rng))
    power = power * 10 ** (rng.uniform(-GAIN_DB, GAIN_DB) / 10)
    if rng.random() < NOISE_CHANCE:
        power = power + _noise(power, rng)
    return _mask(sfx_frontend.compress(power), rng)
