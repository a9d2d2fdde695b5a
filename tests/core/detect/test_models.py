"""The bundled COCO detector on real photos, and how its outputs become boxes."""

from __future__ import annotations

import pytest
from PIL import Image

from fmstudio.core.detect.models import Detector, bundled_folder, load_folder
from tests.datasets import skimage_photo


@pytest.fixture(scope="module")
def detector() -> Detector:
    return load_folder(bundled_folder(), "centernet-coco")


def test_the_bundled_detector_finds_what_is_in_real_photos(detector: Detector) -> None:
    names = ["chelsea.png", "motorcycle_left.png", "astronaut.png", "coffee.png", "rocket.jpg"]
    found = detector.detect([Image.open(skimage_photo(n)) for n in names])
    best = [{b.label for b in boxes if b.score >= 0.3} for boxes in found]
    assert best[0] == {"cat"} and best[1] == {"motorcycle"} and best[2] == {"person"}
    assert "cup" in best[3] and best[4] == set()
    cat = found[0][0]
    assert cat.box[2] > 300 and cat.box[3] > 250  # the box spans the cat's face, in its pixels
    assert all(a.score >= b.score for a, b in zip(found[1], found[1][1:], strict=False))


def test_letterbox_keeps_the_aspect_and_pads_below_and_right(detector: Detector) -> None:
    wide = Image.new("RGB", (1024, 256), (255, 255, 255))
    tensor, scale = detector.letterbox(wide)
    assert scale == 0.5 and tensor.shape == (3, 512, 512)
    assert tensor[:, :128].min() == 255 and tensor[:, 128:].max() == 0


def test_boxes_of_a_batch_are_each_in_their_own_image_pixels(detector: Detector) -> None:
    cat = Image.open(skimage_photo("chelsea.png")).convert("RGB")
    big = cat.resize((cat.width * 2, cat.height * 2))
    small, large = detector.detect([cat, big])
    assert small[0].label == large[0].label == "cat"
    for a, b in zip(small[0].box, large[0].box, strict=True):
        assert abs(2 * a - b) < 12


def test_onnx_runtime_finds_the_same_boxes_as_torch(detector: Detector) -> None:
    from fmstudio.core.detect.models import speed_up

    photos = [Image.open(skimage_photo(n)) for n in ("coffee.png", "motorcycle_left.png")]
    plain = detector.detect(photos)
    fast = speed_up(load_folder(bundled_folder(), "centernet-coco"))
    assert fast.runtime == "ONNX Runtime on CPU" and fast.fast is not None
    for mine, theirs in zip(fast.detect(photos), plain, strict=True):
        assert [b.label for b in mine] == [b.label for b in theirs]
        for a, b in zip(mine, theirs, strict=True):
            assert abs(a.score - b.score) < 1e-3
            assert max(abs(x - y) for x, y in zip(a.box, b.box, strict=True)) < 0.5
