"""Photos decoded and preprocessed where the model runs (nvJPEG on a GPU).

This machine has no GPU: the same functions run with torchvision's CPU JPEG decoder, and the
classify job is told the model's device decodes (`decodes_on_device`), the one thing the
machine lacks. What is checked is what a GPU run relies on: upright photos, the same pixels
and top-1 labels as Pillow's path, and bad files that still come back as error results.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from fmstudio.core.data.images import load_image, make_thumbnail
from fmstudio.core.errors import InputFileError
from fmstudio.core.events import run_to_end
from fmstudio.core.image import classify, device_decode
from fmstudio.core.image.classify import classify_images
from fmstudio.core.image.models import Preprocess, load_bundled
from fmstudio.core.image.requests import ClassifyImages
from fmstudio.core.image.transforms import to_tensor
from tests.datasets import skimage_photo

PHOTOS = ("chelsea.png", "coffee.png", "astronaut.png", "motorcycle_left.png", "rocket.jpg")


def _jpeg(path: Path, img: Image.Image, orientation: int = 1) -> Path:
    exif = Image.Exif()
    if orientation != 1:
        exif[device_decode.ORIENTATION_TAG] = orientation
    img.save(path, quality=92, exif=exif)
    return path


@pytest.fixture(scope="module")
def photos(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """scikit-image's sample photos as JPEGs, plus a large one (1600x1200) as a camera takes."""
    folder = tmp_path_factory.mktemp("photos")
    paths = [
        _jpeg(folder / f"{Path(n).stem}.jpg", Image.open(skimage_photo(n)).convert("RGB"))
        for n in PHOTOS
    ]
    big = Image.open(skimage_photo("chelsea.png")).convert("RGB").resize((1600, 1200))
    return [*paths, _jpeg(folder / "big.jpg", big)]


def _decoded(path: Path) -> torch.Tensor:
    jpeg = device_decode.read_jpeg(path)
    assert jpeg is not None
    (img,) = device_decode.decode_batch([jpeg], "cpu") or []
    return img


@pytest.mark.parametrize("orientation", range(1, 9))
def test_every_exif_orientation_is_turned_upright_as_pillow_does(
    tmp_path: Path, orientation: int
) -> None:
    source = Image.open(skimage_photo("chelsea.png")).convert("RGB").resize((90, 60))
    path = _jpeg(tmp_path / "turned.jpg", source, orientation)
    img = _decoded(path)
    want = torch.from_numpy(np.array(load_image(path))).permute(2, 0, 1)
    assert img.shape == want.shape
    assert (img.float() - want.float()).abs().mean() < 1.0


def test_preprocessing_matches_pillows_pixels_and_labels(photos: list[Path]) -> None:
    classifier = load_bundled()
    pre = classifier.preprocess
    ours = torch.stack([device_decode.preprocess(_decoded(p), pre) for p in photos])
    pillows = torch.stack([to_tensor(load_image(p), pre) for p in photos])
    assert ours.shape == pillows.shape
    std = torch.tensor(pre.std).view(1, 3, 1, 1)
    grey_levels = ((ours - pillows) * std * 255).abs()
    assert grey_levels.mean() < 0.5, grey_levels.mean()
    top = classifier.logits(ours).argmax(-1), classifier.logits(pillows).argmax(-1)
    assert top[0].tolist() == top[1].tolist()


def test_a_crop_larger_than_the_resize_still_gives_the_crop() -> None:
    img = torch.randint(0, 256, (3, 50, 80), dtype=torch.uint8)
    out = device_decode.preprocess(img, Preprocess(resize=200, crop=224))
    assert out.shape == (3, 224, 224)


def test_what_the_gpu_cannot_take_goes_to_pillow(tmp_path: Path) -> None:
    photo = Image.open(skimage_photo("coffee.png")).convert("RGB")
    photo.save(tmp_path / "coffee.png")
    photo.convert("CMYK").save(tmp_path / "cmyk.jpg")
    (tmp_path / "not_a_jpeg.jpg").write_bytes(b"GIF89a and then nothing")
    for name in ("coffee.png", "cmyk.jpg", "not_a_jpeg.jpg"):
        assert device_decode.read_jpeg(tmp_path / name) is None, name
    (tmp_path / "empty.jpg").write_bytes(b"")
    with pytest.raises(InputFileError) as refused:
        device_decode.read_jpeg(tmp_path / "empty.jpg")
    assert refused.value.path == str(tmp_path / "empty.jpg")


def test_thumbnails_are_the_size_pillow_gives(photos: list[Path]) -> None:
    for path in photos:
        ours = device_decode.thumbnail(_decoded(path), 96)
        pillows = make_thumbnail(load_image(path), 96)
        assert (ours.width, ours.height) == (pillows.width, pillows.height)
        assert len(ours.rgb) == ours.width * ours.height * 3


def test_the_classify_job_on_a_decoding_device_matches_pillow(
    photos: list[Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A batch of JPEGs, a PNG, a CMYK JPEG and a broken one, through the device path."""
    Image.open(skimage_photo("chelsea.png")).convert("RGB").save(tmp_path / "cat.png")
    Image.open(skimage_photo("coffee.png")).convert("CMYK").save(tmp_path / "cmyk.jpg")
    (tmp_path / "broken.jpg").write_bytes(photos[0].read_bytes()[:3000])
    files = [*photos, tmp_path / "cat.png", tmp_path / "cmyk.jpg", tmp_path / "broken.jpg"]
    eager = dataclasses.replace(load_bundled(), fast=None)
    request = ClassifyImages(
        tuple(map(str, files)), eager, top_k=1, batch_size=4, thumbnail_size=64
    )
    pillow = run_to_end(classify_images(request))
    seen: list[int] = []
    real_batch = classify._device_batch

    def counted(paths, model, thumb_size):  # type: ignore[no-untyped-def]
        seen.append(len(paths))
        return real_batch(paths, model, thumb_size)

    monkeypatch.setattr(device_decode, "decodes_on_device", lambda device: True)
    monkeypatch.setattr(classify, "_device_batch", counted)
    device = run_to_end(classify_images(request))
    assert seen == [4, 4, 1]
    assert [r.path for r in device] == [str(f) for f in files]
    assert [r.ok for r in device] == [True] * 8 + [False]
    assert "broken.jpg" in device[-1].path and device[-1].error
    assert [r.predictions[0].label for r in device[:-1]] == [
        r.predictions[0].label for r in pillow[:-1]
    ]
    assert all(r.thumbnail is not None for r in device[:-1])


def test_more_decoding_threads_beside_a_gpu_than_beside_a_cpu_model() -> None:
    assert classify.decode_threads("cpu") == 2
    assert 2 <= classify.decode_threads("cuda") <= 8


def test_a_mixed_batch_is_all_on_the_models_device(
    photos: list[Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pillow's tensors join the GPU's. 'meta' stands for the GPU: the photos decode on the
    CPU and their preprocessed tensors land on it, as nvJPEG's land on the GPU."""
    Image.open(skimage_photo("chelsea.png")).convert("RGB").save(tmp_path / "cat.png")
    decode, preprocess = device_decode.decode_batch, device_decode.preprocess
    monkeypatch.setattr(device_decode, "decode_batch", lambda jpegs, device: decode(jpegs, "cpu"))
    monkeypatch.setattr(
        device_decode, "preprocess", lambda img, pre: preprocess(img, pre).to("meta")
    )
    model = dataclasses.replace(load_bundled(), device="meta")
    batch = classify._device_batch([photos[0], tmp_path / "cat.png", photos[1]], model, 0)
    assert [t.device.type for _, t, _, _ in batch if t is not None] == ["meta"] * 3
