"""A trained sound classifier as an `Exportable`: windows of log-mel input in, logits out,
with the mel filters beside the graph so that a user's program computes the same input."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from fmstudio.core.errors import FmError
from fmstudio.core.export.graphs import Exportable, GraphSpec
from fmstudio.core.modalities import SOUND
from fmstudio.core.sound import sfx_frontend
from fmstudio.core.sound.classifier import SoundClassifier

GRAPH = GraphSpec(("mel",), ("logits",), {"mel": {0: "batch"}, "logits": {0: "batch"}})
FILTERS = "mel_filters.npy"


def example_windows(n: int = 3) -> torch.Tensor:
    """A fixed, seeded batch shaped like the network's input: what graphs are checked on."""
    generator = torch.Generator().manual_seed(0)
    return torch.rand(n, sfx_frontend.WINDOW, sfx_frontend.MELS, generator=generator)


def _save_filters(folder: Path) -> None:
    np.save(folder / FILTERS, sfx_frontend.mel_filters().numpy())


def exportable(model: object) -> Exportable:
    if not isinstance(model, SoundClassifier):
        raise FmError(f"{SOUND.not_exportable}; sound classifiers you train export")
    example = example_windows()
    return Exportable(
        model.network.cpu().eval(),
        (example,),
        GRAPH,
        {
            "task": "sound",
            "labels": model.labels,
            "frontend": model.meta.get("frontend", {}),
            "top": sfx_frontend.TOP,
            "input": f"mel: float32 [batch, {sfx_frontend.WINDOW}, {sfx_frontend.MELS}]: "
            f"windows of {sfx_frontend.WINDOW} frames every {sfx_frontend.WINDOW_HOP} of the "
            "peak-normalised 44.1 kHz mono recording's power spectrum (2048-sample symmetric "
            f"Hann frames every {sfx_frontend.HOP}, centred) times {FILTERS}, then "
            f"log10(1e4 * x + 1) / {sfx_frontend.TOP:.4f}; the last window padded with 0",
            "output": "logits: float32 [batch, classes]; softmax gives each window's "
            "probabilities, their mean weighted by each window's mean input the recording's",
        },
        save_extras=_save_filters,
    )
