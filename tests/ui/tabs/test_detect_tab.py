"""The Detect tab with the bundled detector on real photos: boxes, threshold, counts, export."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest
from PySide6.QtGui import QGuiApplication, QImage
from PySide6.QtWidgets import QFileDialog

from fmstudio.core.detect.formats import read_dataset
from fmstudio.ui.tabs.detect_tab import DetectTab
from tests.datasets import skimage_photo
from tests.ui.helpers import drop


@pytest.fixture
def tab(shown_tab) -> DetectTab:
    return shown_tab(DetectTab)


@pytest.fixture
def photos(tmp_path: Path) -> list[Path]:
    folder = tmp_path / "photos"
    folder.mkdir()
    for name in ("chelsea.png", "coffee.png", "rocket.jpg"):
        shutil.copy(skimage_photo(name), folder / name)
    (folder / "broken.jpg").write_bytes(b"not a jpeg")
    return sorted(folder.iterdir())


def _run(qtbot, tab: DetectTab, paths: list[Path]) -> None:
    drop(tab.drop_area, paths)
    qtbot.waitUntil(lambda: len(tab.results) == len(paths) and not tab.is_busy(), timeout=60_000)


def test_dropped_photos_show_their_boxes_and_the_threshold_filters_them(
    qtbot, tab: DetectTab, photos: list[Path]
) -> None:
    tab.threshold.setValue(30)
    _run(qtbot, tab, photos)
    rows = [tab.images.item(i).text() for i in range(tab.images.count())]
    assert rows == ["broken.jpg: cannot be read", "chelsea.png (1 object)",
                    "coffee.png (2 objects)", "rocket.jpg (0 objects)"]  # fmt: skip
    assert "1 could not be read" in tab.status.text()
    tab.images.setCurrentRow(1)
    assert [b.label for b in tab.view.shown_boxes] == ["cat"]
    this_image = tab.objects.topLevelItem(0)
    assert (this_image.child(0).text(0), this_image.child(0).text(1)) == ("cat", "1")
    assert tab.objects.topLevelItem(1).text(1) == "3"  # cat, cup and dining table in all

    tab.images.setCurrentRow(2)
    tab.threshold.setValue(50)  # the dining table (0.34) goes, the cup (0.58) stays
    assert [b.label for b in tab.view.shown_boxes] == ["cup"]
    assert tab.images.item(2).text() == "coffee.png (1 object)"
    assert tab.settings.min_score == 0.5
    tab._nudge(-45)  # Ctrl+Down, nine times over
    assert tab.min_score() == 0.05 and len(tab.view.shown_boxes) > 2


def test_export_as_csv_coco_and_yolo(
    qtbot, tab: DetectTab, photos: list[Path], tmp_path: Path, monkeypatch
) -> None:
    _run(qtbot, tab, photos)
    out = tmp_path / "out"
    out.mkdir()
    for name, chosen in (("boxes.csv", "CSV"), ("boxes.json", "COCO"), ("x.txt", "YOLO")):
        monkeypatch.setattr(
            QFileDialog, "getSaveFileName", lambda *a, n=name, c=chosen, **k: (str(out / n), c)
        )
        tab.export_dialog()
    rows = list(csv.DictReader((out / "boxes.csv").open()))
    assert [r["label"] for r in rows if r["label"]] == ["cat", "cup", "dining table"]
    assert any(r["error"] for r in rows)
    coco = json.loads((out / "boxes.json").read_text())
    assert len(coco["images"]) == 3 and len(coco["annotations"]) == 3
    assert (out / "classes.txt").read_text().split("\n")[:3] == ["cat", "cup", "dining table"]
    assert (out / "labels" / "chelsea.txt").read_text().startswith("0 ")
    assert (out / "labels" / "rocket.txt").read_text() == ""  # a background image
    # what fmstudio wrote as COCO reads back as a dataset, boxes and all
    shutil.copy(out / "boxes.json", photos[0].parent / "annotations.json")
    data = read_dataset(photos[0].parent)
    assert sum(len(im.boxes) for im in data.images) == 3 and data.skipped == []


def test_pasted_pixels_are_saved_and_detected(qtbot, tab: DetectTab) -> None:
    QGuiApplication.clipboard().setImage(QImage(str(skimage_photo("chelsea.png"))))
    tab.paste()
    qtbot.waitUntil(lambda: len(tab.results) == 1 and not tab.is_busy(), timeout=60_000)
    assert Path(tab.results[0].path).name.startswith("pasted-")
    assert [b.label for b in tab.results[0].above(0.3)] == ["cat"]


def test_the_loading_line_leaves_the_window_status_bar_once_work_shows_progress(
    qtbot, tab: DetectTab, tmp_path: Path
) -> None:
    """It stood there for the whole run (seen in the real window)."""
    for i in range(9):
        shutil.copy(skimage_photo("coffee.png"), tmp_path / f"c{i}.png")
    seen: list[str] = []
    tab.status_message.connect(seen.append)
    tab.jobs.partial.connect(lambda _event: seen.append("<boxes>"))
    _run(qtbot, tab, sorted(tmp_path.glob("c*.png")))
    loading = next(i for i, line in enumerate(seen) if line.startswith("Loading"))
    cleared = seen.index("", loading)
    assert cleared < len(seen) - 1 - seen[::-1].index("<boxes>")  # before the last boxes


def test_enter_adds_the_image_shown_to_a_dataset_and_undo_takes_it_back(
    qtbot, tab: DetectTab, photos: list[Path], tmp_path: Path, monkeypatch
) -> None:
    from PySide6.QtCore import Qt

    _run(qtbot, tab, photos)
    dataset = tmp_path / "dataset"
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: str(dataset))
    tab.images.setCurrentRow(1)  # chelsea: a cat
    tab.images.setFocus()
    qtbot.keyClick(tab.images, Qt.Key.Key_Return)
    assert tab.images.currentRow() == 2  # the next image shows
    qtbot.keyClick(tab.images, Qt.Key.Key_Return)  # coffee: a cup and a dining table
    assert (dataset / "classes.txt").read_text().splitlines() == ["cat", "cup", "dining table"]
    data = read_dataset(dataset)
    assert sorted(Path(im.path).name for im in data.images) == ["chelsea.png", "coffee.png"]
    assert sum(len(im.boxes) for im in data.images) == 3 and data.skipped == []
    tab.model_picker.setFocus()  # Enter in the model box picks a model, it adds nothing
    qtbot.keyClick(tab.model_picker, Qt.Key.Key_Return)
    assert len(list((dataset / "images").iterdir())) == 2
    tab.undo_add()
    assert [p.name for p in (dataset / "images").iterdir()] == ["chelsea.png"]
    assert "Took back 1 image" in tab.status.text()
