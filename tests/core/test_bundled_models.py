"""Each bundled model really loads and makes one real prediction."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import torch

from fmstudio.core import catalog
from fmstudio.core.image.transforms import to_tensor


def test_bundled_image_model_names_a_flower(photo_like_image: Path) -> None:
    from fmstudio.core.data.images import load_image

    model = catalog.load("efficientnet_lite0", "image")
    assert len(model.labels) == 1000 and model.labels[985] == "daisy"
    probs = model.probabilities(to_tensor(load_image(photo_like_image), model.preprocess)[None])
    assert probs.shape == (1, 1000)
    assert float(probs.sum()) == pytest.approx(1.0, abs=1e-4)
    top5 = [model.labels[i] for i in probs[0].topk(5).indices.tolist()]
    assert "daisy" in top5[:2], top5


def test_bundled_text_model_embeds_by_meaning() -> None:
    model = catalog.load("all-MiniLM-L6-v2", "text")
    emb = model.embed(
        [
            "A kitten sleeps on the sofa.",
            "A small cat naps on the couch.",
            "Interest rates rose again.",
        ]
    )
    assert emb.shape == (3, 384)
    assert torch.allclose(emb.norm(dim=-1), torch.ones(3), atol=1e-5)
    sim = emb @ emb.T
    assert sim[0, 1] > sim[0, 2] + 0.3


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z]+", text.lower())


def test_bundled_speech_model_transcribes_espeak(speech_wav: tuple[Path, str]) -> None:
    path, said = speech_wav
    model = catalog.load("whisper-tiny.en", "speech")
    segments, info = model.model.transcribe(str(path), beam_size=5)
    heard = _words(" ".join(s.text for s in segments))
    assert info.duration > 1.0
    expected = _words(said)
    matched = len(set(heard) & set(expected))
    assert matched >= len(expected) * 0.6, heard
