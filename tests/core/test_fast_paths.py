"""The faster inference paths: ONNX Runtime for images, bf16 for text, each checked and each
with a fallback, and the crop-only resize against torchvision's resize-then-crop."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image
from torchvision.transforms import functional as F

from fmstudio.core import loading
from fmstudio.core.data.images import load_image
from fmstudio.core.devices import bf16_native
from fmstudio.core.export import graphs
from fmstudio.core.image import models as image_models
from fmstudio.core.image.models import Preprocess
from fmstudio.core.image.transforms import interpolation, to_tensor
from fmstudio.core.text import models as text_models


@pytest.fixture(scope="module")
def lite0() -> image_models.ImageClassifier:
    return image_models.load_bundled()


def _photo_batch(photo: Path, pre: Preprocess) -> torch.Tensor:
    img = load_image(photo)
    flipped = img.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
    return torch.stack([to_tensor(img, pre), to_tensor(flipped, pre)])


def test_image_runs_on_onnx_runtime_with_torchs_answers(
    lite0: image_models.ImageClassifier, photo_like_image: Path
) -> None:
    fast = image_models.speed_up(image_models.load_bundled())
    assert fast.runtime == "ONNX Runtime on CPU" and fast.fast is not None
    batch = _photo_batch(photo_like_image, lite0.preprocess)
    expected, got = lite0.logits(batch), fast.logits(batch)
    assert graphs.largest_difference(expected.numpy(), got.numpy()) < graphs.TOLERANCE
    assert expected.argmax(-1).tolist() == got.argmax(-1).tolist()
    assert lite0.labels[int(got[0].argmax())] == "daisy"  # the real photo: a flower close-up
    assert list(graphs.cache_path("x").parent.glob("*.onnx"))  # kept for the next start


def test_runtime_switch_and_broken_graph_fall_back_to_torch(
    monkeypatch: pytest.MonkeyPatch, photo_like_image: Path, tmp_path: Path
) -> None:
    monkeypatch.setenv("FMSTUDIO_CACHE", str(tmp_path))
    monkeypatch.setenv(graphs.RUNTIME_ENV, "torch")
    plain = image_models.speed_up(image_models.load_bundled())
    assert plain.fast is None and plain.runtime == "PyTorch on CPU"
    assert "FMSTUDIO_RUNTIME=torch" in plain.runtime_reason
    monkeypatch.delenv(graphs.RUNTIME_ENV)
    image_models.speed_up(image_models.load_bundled())
    for cached in graphs.cache_path("x").parent.glob("*.onnx"):
        cached.write_bytes(b"not a graph")  # a disk error, a killed copy
    broken = image_models.speed_up(image_models.load_bundled())
    assert broken.fast is None and "could not run the graph" in broken.runtime_reason
    batch = _photo_batch(photo_like_image, broken.preprocess)
    assert broken.logits(batch).argmax(-1).tolist() == plain.logits(batch).argmax(-1).tolist()
    again = image_models.speed_up(image_models.load_bundled())  # the bad file was removed
    assert again.fast is not None


def test_mismatch_names_what_differs() -> None:
    expected = np.array([[4.0, 1.0, 0.0], [0.0, 2.0, 1.0]], dtype=np.float32)
    assert graphs.mismatch(expected, expected + 1e-5) == ""
    assert "differ" in graphs.mismatch(expected, expected + 0.5)
    near_tie = np.array([[4.0, 1.0, 0.0], [0.0, 1.0002, 1.0]], dtype=np.float32)
    swapped = np.array([[4.0, 1.0, 0.0], [0.0, 1.0, 1.0002]], dtype=np.float32)  # close, but
    # the other class wins
    assert "top class" in graphs.mismatch(near_tie, swapped)
    assert "shape" in graphs.mismatch(expected, expected[:1])
    assert "differ" in graphs.mismatch(expected, expected * np.nan)


def test_training_gets_the_plain_module_and_inference_the_fast_one() -> None:
    trained_from = loading.load("efficientnet_lite0", "image")
    assert trained_from.fast is None
    assert trained_from.model.conv_stem.weight.is_contiguous()  # safetensors saves it as is
    assert loading.cached_load("efficientnet_lite0", "image").fast is not None


@pytest.mark.parametrize(
    "size", [(1600, 1200), (1200, 1600), (641, 479), (300, 200), (224, 224), (120, 500)]
)
def test_crop_only_resize_matches_torchvision(size: tuple[int, int]) -> None:
    from sklearn.datasets import load_sample_image

    img = Image.fromarray(load_sample_image("china.jpg")).resize(size)
    pre = Preprocess(256, 224, (0.0, 0.0, 0.0), (1 / 255, 1 / 255, 1 / 255), "bicubic")
    full = F.center_crop(
        F.resize(img, pre.resize, interpolation=interpolation(pre.interpolation)), [pre.crop] * 2
    )
    ours = to_tensor(img, pre)
    assert ours.shape == (3, 224, 224)
    differences = (ours - F.pil_to_tensor(full).float()).abs()
    assert float(differences.max()) <= 2.0  # grey levels: filter-centre rounding only
    assert float(differences.mean()) < 0.5


def test_crop_larger_than_the_resize_pads_as_torchvision_does() -> None:
    img = Image.new("RGB", (90, 60), (200, 10, 10))
    pre = Preprocess(64, 80, (0.0, 0.0, 0.0), (1.0, 1.0, 1.0), "bilinear")
    full = F.center_crop(
        F.resize(img, 64, interpolation=interpolation(pre.interpolation)), [80, 80]
    )
    assert torch.equal(to_tensor(img, pre), F.pil_to_tensor(full).float().div(255))


def test_text_encoder_uses_bf16_only_where_native_and_close_to_fp32(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    encoder = text_models.speed_up(text_models.load_bundled())
    assert encoder.bf16 == bf16_native()
    texts = ["The striker scored twice in the derby.", "Whisk the eggs with sugar until pale."]
    fast = encoder.embed(texts)
    encoder.bf16 = False
    assert float((fast * encoder.embed(texts)).sum(-1).min()) > text_models.MIN_COSINE
    monkeypatch.setenv(graphs.RUNTIME_ENV, "torch")
    plain = text_models.speed_up(text_models.load_bundled())
    assert not plain.bf16 and plain.runtime == "PyTorch fp32 on CPU"
    assert "FMSTUDIO_RUNTIME=torch" in plain.runtime_reason
