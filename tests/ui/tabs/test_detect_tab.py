"""The Detect tab with the bundled detector on real photos: boxes, threshold, counts, export."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, QPointF, Qt
from PySide6.QtGui import QGuiApplication, QImage, QMouseEvent
from PySide6.QtWidgets import QApplication, QFileDialog

from fmstudio.core.detect.draw import colour
from fmstudio.core.detect.formats import read_dataset
from fmstudio.core.detect.results import Box
from fmstudio.ui.tabs.detect_tab import DetectTab
from fmstudio.ui.widgets.box_editor import BoxEditor
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
    tab.labelling.undo()
    assert [p.name for p in (dataset / "images").iterdir()] == ["chelsea.png"]
    assert "Undone: adding 1 image" in tab.status.text()


def _drag(view: BoxEditor, start: tuple[float, float], end: tuple[float, float]) -> None:
    """A left-button drag between two image points, as the mouse sends it to the view."""
    left, none = Qt.MouseButton.LeftButton, Qt.MouseButton.NoButton
    steps = [(QEvent.Type.MouseButtonPress, start, left, left)]
    for k in (1, 2, 3):
        at = (start[0] + (end[0] - start[0]) * k / 3, start[1] + (end[1] - start[1]) * k / 3)
        steps.append((QEvent.Type.MouseMove, at, none, left))
    steps.append((QEvent.Type.MouseButtonRelease, end, left, none))
    for kind, point, button, held in steps:
        local = QPointF(view.mapFromScene(QPointF(*point)))
        event = QMouseEvent(
            kind, local, view.viewport().mapToGlobal(local), button, held,
            Qt.KeyboardModifier.NoModifier,
        )  # fmt: skip
        QApplication.sendEvent(view.viewport(), event)


def _boxes(tab: DetectTab) -> list[tuple[str, tuple[int, ...]]]:
    return [(b.label, tuple(round(v) for v in b.box)) for b in tab.view.shown_boxes]


def test_boxes_are_drawn_moved_resized_named_and_deleted_with_undo_and_redo(
    qtbot, tab: DetectTab, photos: list[Path]
) -> None:
    _run(qtbot, tab, [photos[1]])  # chelsea: one cat
    tab.images.setCurrentRow(0)
    (cat,) = tab.view.shown_boxes
    original = tab.results[0]  # with the proposals under the threshold
    _x1, _y1, x2, y2 = cat.box
    tab.labelling.box_class.setCurrentText("ear")
    _drag(tab.view, (20, 20), (80, 70))  # on the background: a new box
    assert _boxes(tab)[-1][0] == "ear" and tab.view.selected == 1
    assert abs(_boxes(tab)[-1][1][2] - 80) <= 2
    assert tab.results[0].boxes[-1].score == 1.0  # a box a person drew is sure
    _drag(tab.view, (50, 45), (150, 45))  # its middle: it moves right by 100
    assert abs(_boxes(tab)[1][1][0] - 120) <= 2 and abs(_boxes(tab)[1][1][2] - 180) <= 2
    _drag(tab.view, (x2, y2), (x2 - 40, y2 - 30))  # the cat's corner: smaller
    assert tuple(round(v) for v in tab.results[0].boxes[0].box[2:]) == (
        pytest.approx(round(x2 - 40), abs=2), pytest.approx(round(y2 - 30), abs=2)
    )  # fmt: skip
    tab.view.setFocus()
    qtbot.keyClick(tab.view, Qt.Key.Key_2)  # the classes: 1 cat, 2 ear
    assert _boxes(tab)[0][0] == "ear"
    qtbot.keyClick(tab.view, Qt.Key.Key_1)  # and back: the key works twice
    assert _boxes(tab)[0][0] == "cat"
    qtbot.keyClick(tab.view, Qt.Key.Key_Delete)
    assert [label for label, _ in _boxes(tab)] == ["ear"]
    assert tab.images.item(0).text() == "chelsea.png (1 object)"
    undone = []
    for _ in range(5):  # the cat is back, first named, then drawn
        tab.labelling.undo()
        undone.append(tab.status.text().split(" (")[0])
    assert undone == [
        "Undone: removing a box", "Undone: naming a box cat", "Undone: naming a box ear",
        "Undone: resizing a box", "Undone: moving a box",
    ]  # fmt: skip
    assert _boxes(tab)[0] == ("cat", tuple(round(v) for v in cat.box))
    assert abs(_boxes(tab)[1][1][0] - 20) <= 2
    tab.labelling.undo()
    assert tab.results[0] == original and "Undone: drawing a box" in tab.status.text()
    tab.labelling.redo()
    assert len(tab.view.shown_boxes) == 2


def test_a_click_selects_and_draws_nothing_and_a_new_class_gets_a_key(
    qtbot, tab: DetectTab, photos: list[Path]
) -> None:
    _run(qtbot, tab, [photos[1]])
    assert tab.labelling.keys.text() == "1 cat"  # the classes found are there to pick
    tab.images.setCurrentRow(0)
    _drag(tab.view, (440, 150), (441, 151))  # a click beside the cat, a pixel's tremor
    assert len(tab.view.shown_boxes) == 1 and tab.view.selected is None
    tab.view.setFocus()  # as the click gives it in a real window
    qtbot.keyClick(tab.view, Qt.Key.Key_Delete)
    assert "Click a box first" in tab.status.text()
    qtbot.keyClick(tab.view, Qt.Key.Key_3)
    assert "No class 3 yet" in tab.status.text()
    _drag(tab.view, (200, 150), (200, 150))  # a click on the cat selects it, moves nothing
    assert tab.view.selected == 0 and tab.results[0].boxes[0].score < 1
    assert not tab.labelling.history.canUndo()
    _drag(tab.view, (440, 150), (440, 150))  # beside it: nothing selected, so a drag draws
    tab.labelling.box_class.setCurrentText("whisker")
    _drag(tab.view, (10, 10), (60, 40))
    assert tab.labelling.keys.text() == "1 cat · 2 whisker"


def test_review_shows_the_least_sure_first_and_enter_adds_the_fixed_boxes(
    qtbot, tab: DetectTab, photos: list[Path], tmp_path: Path, monkeypatch
) -> None:
    tab.threshold.setValue(30)
    _run(qtbot, tab, photos)
    dataset = tmp_path / "dataset"
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: str(dataset))
    colours = {label: colour(label, tab._labels()) for label in ("cat", "cup", "dining table")}
    tab.review_least_sure()
    assert colours == {label: colour(label, tab._labels()) for label in colours}
    order = [Path(r.path).name for r in tab.results]
    assert order[-1] == "broken.jpg" and order[0] == "coffee.png"  # its dining table: 0.34
    assert tab.images.currentRow() == 0 and tab.images.item(0).text().startswith("coffee")
    # the dining table is wrong here: delete it, then accept the cup
    table = next(i for i, b in enumerate(tab.view.shown_boxes) if b.label == "dining table")
    tab.view.select(table)
    tab.view.setFocus()
    qtbot.keyClick(tab.view, Qt.Key.Key_Delete)
    qtbot.keyClick(tab.view, Qt.Key.Key_Return)
    assert tab.images.item(0).text() == "✓ coffee.png (1 object)"
    assert tab.images.currentRow() == 1  # the next least sure
    data = read_dataset(dataset)
    assert [[b.label for b in im.boxes] for im in data.images] == [["cup"]]
    # back to coffee, draw a spoon, Enter again: the same image, its labels rewritten
    tab.images.setCurrentRow(0)
    tab.labelling.box_class.setCurrentText("spoon")
    _drag(tab.view, (10, 10), (90, 60))
    tab.view.setFocus()
    qtbot.keyClick(tab.view, Qt.Key.Key_Return)
    assert "1 of them again" in tab.status.text()
    data = read_dataset(dataset)
    assert len(data.images) == 1
    assert sorted(b.label for b in data.images[0].boxes) == ["cup", "spoon"]
    tab.labelling.undo()  # the re-addition: cup only again, still added
    assert [[b.label for b in im.boxes] for im in read_dataset(dataset).images] == [["cup"]]
    assert tab.images.item(0).text().startswith("✓")
    tab.labelling.undo()  # the drawn spoon
    tab.labelling.undo()  # the first addition: the tick goes
    assert list((dataset / "images").iterdir()) == []
    assert not tab.images.item(0).text().startswith("✓")
    assert tab.results[0].boxes == tuple(
        Box(b.label, b.score, b.box) for b in tab.results[0].boxes if b.label == "cup"
    )
