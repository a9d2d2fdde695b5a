"""A transformers object detector (a tiny YOLOS the test builds) through the same job, CLI
path and evaluation as the bundled CenterNet; training it is refused in words."""

from __future__ import annotations

from pathlib import Path

import pytest

from fmstudio.core.detect.detect import detect_images
from fmstudio.core.detect.requests import DetectImages
from fmstudio.core.detect.train_job import fine_tune_detector
from fmstudio.core.errors import FmError
from fmstudio.core.events import run_to_end
from fmstudio.core.train.spec import TrainSpec
from tests.datasets import make_photo_boxes, skimage_photo


@pytest.fixture(scope="module")
def tiny_yolos(tmp_path_factory: pytest.TempPathFactory) -> Path:
    import torch
    from transformers import YolosConfig, YolosForObjectDetection, YolosImageProcessor

    folder = tmp_path_factory.mktemp("tiny-yolos")
    names = {0: "cat", 1: "cup", 2: "person"}
    config = YolosConfig(
        hidden_size=32, num_hidden_layers=1, num_attention_heads=2, intermediate_size=37,
        image_size=[64, 64], patch_size=16, num_detection_tokens=5, num_labels=3,
        id2label=names, label2id={v: k for k, v in names.items()},
    )  # fmt: skip
    torch.manual_seed(0)
    YolosForObjectDetection(config).save_pretrained(folder)
    YolosImageProcessor(size={"shortest_edge": 64, "longest_edge": 64}).save_pretrained(folder)
    return folder


def test_a_transformers_detector_runs_in_the_detect_job(tiny_yolos: Path) -> None:
    photos = (str(skimage_photo("chelsea.png")), str(skimage_photo("coffee.png")))
    results = run_to_end(detect_images(DetectImages(photos, str(tiny_yolos), device="cpu")))
    assert [r.ok for r in results] == [True, True]
    for result in results:
        assert result.boxes and {b.label for b in result.boxes} <= {"cat", "cup", "person"}
        for box in result.boxes:
            x1, y1, x2, y2 = box.box
            assert 0 <= x1 <= x2 <= result.size[0] + 1 and 0 <= y1 <= y2 <= result.size[1] + 1
        scores = [b.score for b in result.boxes]
        assert scores == sorted(scores, reverse=True)


def test_training_a_transformers_detector_is_refused_in_words(tiny_yolos: Path, tmp_path) -> None:
    data = make_photo_boxes(tmp_path / "photos")
    spec = TrainSpec("detect", str(data), "x", base=str(tiny_yolos), epochs=1)
    with pytest.raises(FmError, match="transformers detector"):
        run_to_end(fine_tune_detector(spec))
