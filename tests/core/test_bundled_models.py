"""Each bundled model really loads and makes one real prediction."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import torch

from fmstudio.core import catalog, loading
from fmstudio.core.image.transforms import to_tensor


def test_bundled_image_model_names_a_flower(photo_like_image: Path) -> None:
    from fmstudio.core.data.images import load_image

    model = loading.load("efficientnet_lite0", "image")
    assert len(model.labels) == 1000 and model.labels[985] == "daisy"
    probs = model.probabilities(to_tensor(load_image(photo_like_image), model.preprocess)[None])
    assert probs.shape == (1, 1000)
    assert float(probs.sum()) == pytest.approx(1.0, abs=1e-4)
    top5 = [model.labels[i] for i in probs[0].topk(5).indices.tolist()]
    assert "daisy" in top5[:2], top5


@pytest.mark.slow
def test_lite2_is_offered_with_its_own_input_size_and_agrees_on_a_clear_photo(
    tmp_path: Path, image_folder: Path
) -> None:
    from PIL import Image
    from sklearn.datasets import load_sample_image

    from fmstudio.core.classify.train_job import fine_tune
    from fmstudio.core.events import run_to_end
    from fmstudio.core.train.spec import TrainSpec

    entry = next(e for e in catalog.list_models("image") if e.name == "efficientnet_lite2")
    assert entry.available_offline and "77.6" in entry.description
    assert catalog.resolve("lite2", "image").name == "efficientnet_lite2"
    lite2 = loading.load("efficientnet_lite2", "image")
    assert (lite2.preprocess.resize, lite2.preprocess.crop) == (292, 260)
    palace = Image.fromarray(load_sample_image("china.jpg"))
    probs = lite2.probabilities(to_tensor(palace, lite2.preprocess)[None])[0]
    assert lite2.labels[int(probs.argmax())] == "palace"
    spec = TrainSpec(
        "image",
        str(image_folder),
        str(tmp_path / "lite2-colours"),
        base="efficientnet_lite2",
        mode="head",
        epochs=3,
    )  # fine-tuned like Lite0: the wizard and the CLI take it as a base
    result = run_to_end(fine_tune(spec))
    assert result.evaluation is not None and result.evaluation.accuracy >= 0.9


def test_bundled_text_model_embeds_by_meaning() -> None:
    model = loading.load("all-MiniLM-L6-v2", "text")
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
    model = loading.load("whisper-tiny.en", "speech")
    segments, info = model.model.transcribe(str(path), beam_size=5)
    heard = _words(" ".join(s.text for s in segments))
    assert info.duration > 1.0
    expected = _words(said)
    matched = len(set(heard) & set(expected))
    assert matched >= len(expected) * 0.6, heard
