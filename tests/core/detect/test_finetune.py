"""Detector training pieces: the new class layer, the targets, flips, the scan's report."""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import pytest
import torch
from PIL import Image

from fmstudio.core.detect.finetune import (
    BoxImages,
    flipped,
    heat_targets,
    reheaded,
    zoomed_out,
)
from fmstudio.core.detect.models import bundled_folder, load_folder
from fmstudio.core.detect.scan import scan_boxes
from tests.datasets import make_coin_boxes, make_photo_boxes, skimage_photo


def test_a_new_class_layer_keeps_what_the_model_knew_of_coco_names() -> None:
    detector = load_folder(bundled_folder(), "centernet-coco")
    cat = Image.open(skimage_photo("chelsea.png"))
    before = detector.detect([cat])[0][0]
    reheaded(detector, ["coin", "cat"])
    assert detector.classes == ["coin", "cat"]
    after = detector.detect([cat])[0]
    assert after[0].label == "cat" and after[0].score == pytest.approx(before.score, abs=1e-5)
    assert all(b.score < 0.05 for b in after if b.label == "coin") or not any(
        b.label == "coin" for b in after
    )  # a new class starts near its prior (0.01): it finds nothing yet


def test_each_box_peaks_at_one_in_its_centre_cell() -> None:
    boxes = torch.tensor([[[1, 40, 40, 80, 120], [0, 0, 0, 8, 8], [-1, -1, -1, -1, -1]]])
    heat = heat_targets(boxes.float(), 2, (32, 32))
    assert heat[0, 1, 20, 15] == 1 and heat[0, 0, 1, 1] == 1
    assert heat.eq(1).sum() == 2
    assert 0 < heat[0, 1, 20, 17] < 1 and heat[0, 0, 20, 15] == 0  # spread, per class


def test_a_flip_mirrors_the_picture_and_its_boxes_inside_the_letterbox() -> None:
    image = torch.zeros(3, 8, 8, dtype=torch.uint8)
    image[:, :, 0] = 255  # the picture is 6 pixels wide; its left column is white
    boxes = torch.tensor([[0.0, 0, 1, 2, 3]])
    mirrored, moved, width = flipped(image, boxes, 6)
    assert moved.tolist() == [[0.0, 4.0, 1.0, 6.0, 3.0]] and width == 6
    assert mirrored[0, 0, 5] == 255 and mirrored[0, 0, 7] == 0  # the padding stays right


def test_a_zoom_out_shrinks_picture_and_boxes_into_the_corner() -> None:
    image = torch.zeros(3, 64, 64, dtype=torch.uint8)
    image[:, 16:32, 8:40] = 200  # a bright object inside a 48-pixel-wide picture
    boxes = torch.tensor([[0.0, 8, 16, 40, 32]])
    small, scaled, width = zoomed_out(image, boxes, 48, 0.5)
    assert scaled.tolist() == [[0.0, 4.0, 8.0, 20.0, 16.0]] and width == 24
    x1, y1, x2, y2 = (int(v) for v in scaled[0, 1:])
    assert (small[:, y1 + 1 : y2 - 1, x1 + 1 : x2 - 1] == 200).all()  # the object is in its box
    assert small[:, 32:, :].sum() == 0 and small[:, :, 32:].sum() == 0  # the rest is padding


def test_training_examples_vary_but_keep_black_padding_and_boxes_on_the_picture() -> None:
    generator = torch.Generator().manual_seed(1)
    image = torch.zeros(3, 64, 64, dtype=torch.uint8)
    image[:, :, :48] = torch.randint(40, 220, (3, 64, 48), generator=generator, dtype=torch.uint8)
    boxes = torch.tensor([[0.0, 4, 4, 30, 60]])
    random.seed(0)
    drawn = [BoxImages([(image, boxes, 48)], augment=True)[0] for _ in range(30)]
    assert len({d[1][0, 3].item() for d in drawn}) > 10  # sizes and places differ
    for picture, box, width in drawn:
        assert picture[:, :, width + 1 :].sum() == 0  # right of the picture: black
        assert 0 <= box[0, 1] < box[0, 3] <= width
    plain = BoxImages([(image, boxes, 48)], augment=False)[0]
    assert plain[0] is image and plain[1] is boxes


def test_the_scan_reports_health_and_keeps_the_folders_split(tmp_path: Path) -> None:
    data = make_coin_boxes(tmp_path / "coins", train=6, val=3)
    shutil.copy(
        data / "images" / "train" / "coins_train_0.jpg", data / "images" / "train" / "again.jpg"
    )
    report = scan_boxes(str(data), 0.2, 0)
    assert report.ok and report.split == "folders" and report.classes == ["coin"]
    assert (len(report.train), len(report.val)) == (6, 3)
    (skipped,) = report.skipped
    pair = {Path(skipped.path).name, Path(skipped.reason.split(" as ")[1]).name}
    assert pair == {"again.jpg", "coins_train_0.jpg"} and "the same picture" in skipped.reason
    assert report.counts()["coin"] > 9
    photos = scan_boxes(str(make_photo_boxes(tmp_path / "photos")), 0.4, 0)
    assert photos.split == "seeded" and len(photos.val) == 2 and "few boxes" in photos.warnings[0]
    empty = tmp_path / "empty"
    empty.mkdir()
    assert "holds no boxes" in scan_boxes(str(empty), 0.2, 0).errors[0]


def test_the_shares_of_several_processes_merge_into_the_whole_sets_map() -> None:
    """Under torchrun each process validates a share; mAP ranks all boxes together, so the
    mean of the shares' mAPs (0.5 here) is not the set's."""
    import pickle

    from fmstudio.core.detect.finetune import rescored
    from fmstudio.core.detect.formats import Labelled
    from fmstudio.core.detect.results import Box
    from fmstudio.core.train.objectives import Validation

    coin = (10.0, 10.0, 50.0, 50.0)
    truth = Labelled("a", (Box("coin", 1.0, coin),), (100, 100))
    found_well = [Box("coin", 0.4, coin)]
    found_badly = [Box("coin", 0.9, (60.0, 60.0, 90.0, 90.0)), Box("coin", 0.3, coin)]
    shares = []
    for index, found in enumerate((found_well, found_badly)):
        evidence = ([truth], [found], ["coin"])
        recall, metrics = rescored([evidence])
        validation = Validation(1.0, recall, metrics=metrics, evidence=evidence, rescore=rescored)
        shares.append(([index], pickle.loads(pickle.dumps(validation))))  # as gathered
    assert [v.metrics["map"] for _, v in shares] == pytest.approx([1.0, 0.5], abs=0.01)
    whole = Validation.merge(shares)
    together = rescored([([truth, truth], [found_well, found_badly], ["coin"])])
    assert whole.metrics == together[1] and whole.accuracy == together[0]
    assert whole.metrics["map"] != pytest.approx(0.75, abs=0.01)
