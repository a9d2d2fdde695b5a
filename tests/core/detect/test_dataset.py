"""Detect results into a YOLO dataset: kept classes, free names, backgrounds, refusals, undo."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from fmstudio.core.detect.dataset import add_detections, undo
from fmstudio.core.detect.formats import read_dataset
from fmstudio.core.detect.results import Box, Detections
from fmstudio.core.errors import FmError
from tests.datasets import skimage_photo


def _result(path: Path, *boxes: Box) -> Detections:
    return Detections(str(path), boxes, size=(451, 300))


def test_results_join_the_dataset_with_the_boxes_shown_and_undo_removes_them(
    tmp_path: Path,
) -> None:
    photo = shutil.copy(skimage_photo("chelsea.png"), tmp_path / "cat.png")
    dataset = tmp_path / "data"
    dataset.mkdir()
    (dataset / "classes.txt").write_text("dog\n", encoding="utf-8")  # a class already there
    cat, faint = Box("cat", 0.5, (0, 0, 400, 300)), Box("bowl", 0.1, (10, 10, 50, 50))
    first = add_detections([_result(Path(photo), cat, faint)], 0.3, dataset)
    second = add_detections(
        [_result(Path(photo)), Detections("gone.png", error="file not found")], 0.3, dataset
    )  # the same photo again (a background now, under a free name); the error is skipped
    assert (first.images, first.boxes, second.images) == (1, 1, 1)
    assert (dataset / "classes.txt").read_text().splitlines() == ["dog", "cat"]
    data = read_dataset(dataset)
    boxes = {Path(im.path).name: [b.label for b in im.boxes] for im in data.images}
    assert boxes == {"cat.png": ["cat"], "cat-2.png": []}
    undo(second)
    assert [p.name for p in (dataset / "images").iterdir()] == ["cat.png"]


def test_a_class_data_yaml_does_not_name_is_refused(tmp_path: Path) -> None:
    photo = shutil.copy(skimage_photo("chelsea.png"), tmp_path / "cat.png")
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "data.yaml").write_text("names: [dog]\n", encoding="utf-8")
    with pytest.raises(FmError, match="does not name cat"):
        add_detections(
            [_result(Path(photo), Box("cat", 0.9, (0, 0, 9, 9)))], 0.3, tmp_path / "data"
        )


def test_an_image_added_again_keeps_its_place_and_undo_puts_its_labels_back(
    tmp_path: Path,
) -> None:
    """A person fixes the boxes of an image already added: the dataset holds it once."""
    photo = Path(shutil.copy(skimage_photo("chelsea.png"), tmp_path / "cat.png"))
    dataset = tmp_path / "data"
    first = add_detections([_result(photo, Box("dog", 0.6, (0, 0, 400, 300)))], 0.3, dataset)
    fixed = _result(photo, Box("cat", 1.0, (20, 10, 400, 300)), Box("cup", 1.0, (0, 0, 9, 9)))
    second = add_detections([fixed], 0.3, dataset, first.placed)
    assert second.files == [] and second.placed == first.placed
    data = read_dataset(dataset)
    assert [[b.label for b in im.boxes] for im in data.images] == [["cat", "cup"]]
    undo(second)
    data = read_dataset(dataset)
    assert [[b.label for b in im.boxes] for im in data.images] == [["dog"]]
    undo(first)
    assert list((dataset / "images").iterdir()) == []
