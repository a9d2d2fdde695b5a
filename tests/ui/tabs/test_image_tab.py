from __future__ import annotations

import csv
from pathlib import Path

import pytest
from PIL import Image
from PySide6.QtGui import QGuiApplication, QImage
from PySide6.QtWidgets import QFileDialog

from fmstudio.ui.tabs.classify_tab import ClassifyTab
from fmstudio.ui.tabs.image_tab import ImageTab
from tests.ui.helpers import drop


@pytest.fixture
def tab(shown_tab) -> ClassifyTab:
    return shown_tab(ImageTab)


@pytest.fixture
def images(tmp_path: Path, photo_like_image: Path) -> list[Path]:
    folder = tmp_path / "drop"
    (folder / "sub").mkdir(parents=True)
    Image.open(photo_like_image).save(folder / "flower.jpg")
    Image.open(photo_like_image).transpose(Image.Transpose.FLIP_LEFT_RIGHT).save(
        folder / "sub" / "mirror.png"
    )
    (folder / "broken.jpg").write_bytes(b"not a jpeg")
    return [folder / "flower.jpg", folder / "sub", folder / "broken.jpg"]


def test_dropped_files_and_folders_become_rows(qtbot, tab: ClassifyTab, images: list[Path]) -> None:
    drop(tab.drop_area, images)
    qtbot.waitUntil(lambda: tab.table.model.rowCount() == 3 and not tab.is_busy(), timeout=60_000)
    results = {Path(r.path).name: r for r in tab.table.results()}
    assert set(results) == {"flower.jpg", "mirror.png", "broken.jpg"}
    assert results["flower.jpg"].top.label == "daisy"
    assert results["broken.jpg"].error
    assert "1 failed" in tab.status.text()

    tab.table.select_row(0)
    shown = tab.bars.labels()
    assert len(shown) == 5 and shown[0] == tab.table.results()[0].top.label

    tab.table.filter_edit.setText("dais")
    assert tab.table.visible_rows() == 2
    tab.table.filter_edit.setText("")
    assert tab.table.visible_rows() == 3


def test_export_csv_through_the_dialog(
    qtbot, tab: ClassifyTab, images: list[Path], tmp_path: Path, monkeypatch
) -> None:
    tab.add_paths([str(images[0])])
    qtbot.waitUntil(lambda: tab.table.model.rowCount() == 1 and not tab.is_busy(), timeout=60_000)
    target = tmp_path / "export.csv"
    monkeypatch.setattr(
        QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), "CSV (*.csv)")
    )
    tab.export_dialog()
    rows = list(csv.DictReader(target.open()))
    assert rows[0]["label"] == "daisy" and rows[0]["path"] == str(images[0])
    assert "Exported 1 rows" in tab.status.text()


def test_open_dialog_adds_files_and_remembers_folder(
    qtbot, tab: ClassifyTab, images: list[Path], monkeypatch
) -> None:
    monkeypatch.setattr(QFileDialog, "getOpenFileNames", lambda *a, **k: ([str(images[0])], ""))
    tab.open_files()
    qtbot.waitUntil(lambda: tab.table.model.rowCount() == 1 and not tab.is_busy(), timeout=60_000)
    assert tab.settings.last_folder == str(images[0].parent)


def test_paste_image_from_clipboard(
    qtbot, tab: ClassifyTab, photo_like_image: Path, fm_home: Path
) -> None:
    QGuiApplication.clipboard().setImage(QImage(str(photo_like_image)))
    tab.controls.paste()
    qtbot.waitUntil(lambda: tab.table.model.rowCount() == 1 and not tab.is_busy(), timeout=60_000)
    (result,) = tab.table.results()
    assert Path(result.path).is_relative_to(fm_home) and Path(result.path).suffix == ".png"
    assert result.top.label == "daisy"


@pytest.mark.slow
def test_stop_cancels_a_long_run(
    qtbot, tab: ClassifyTab, photo_like_image: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "many"
    folder.mkdir()
    for i in range(120):
        Image.open(photo_like_image).save(folder / f"{i:03d}.png")
    tab.add_paths([str(folder)])
    qtbot.waitUntil(lambda: tab.table.model.rowCount() > 0, timeout=60_000)
    tab.status.stop_button.click()
    qtbot.waitUntil(lambda: not tab.is_busy(), timeout=30_000)
    assert tab.table.model.rowCount() < 120
    assert tab.status.text() == "Stopped."


def test_ready_line_names_the_chosen_model(tab: ClassifyTab) -> None:
    assert "EfficientNet" in tab.status.text()
    tab.model_picker.setCurrentIndex(tab.model_picker.findData("resnet50.a1_in1k"))
    assert "ResNet-50" in tab.status.text() and "EfficientNet" not in tab.status.text()


def test_stop_answers_while_a_hub_model_downloads(
    qtbot, tab: ClassifyTab, photo_like_image: Path, stalled_hub: list[bytes]
) -> None:
    import time

    tab.model_picker.setCurrentIndex(tab.model_picker.findData("resnet50.a1_in1k"))
    tab.add_paths([str(photo_like_image)])
    qtbot.waitUntil(lambda: bool(stalled_hub), timeout=30_000)
    assert tab.is_busy() and "Loading resnet50.a1_in1k" in tab.status.text()
    pressed = time.monotonic()
    tab.status.stop_button.click()
    qtbot.waitUntil(lambda: not tab.is_busy(), timeout=30_000)
    assert time.monotonic() - pressed < 1.0, "Stop waited for the download"
    assert tab.status.text() == "Stopped."


def test_files_wait_when_the_model_cannot_load_and_run_with_the_next(
    qtbot, tab: ClassifyTab, images: list[Path]
) -> None:
    """When a model could not be loaded, the dropped files vanished."""
    tab.model_picker.setEditText("./no/such/model")
    tab.add_paths([str(images[0])])
    qtbot.waitUntil(lambda: not tab.is_busy(), timeout=60_000)
    assert "Waiting for a model that loads: 1 image" in tab.status.text()
    assert tab.table.model.rowCount() == 0
    index = tab.model_picker.findData("efficientnet_lite0")
    tab.model_picker.setCurrentIndex(index)
    tab.model_picker.activated.emit(index)  # the user picks it from the list
    qtbot.waitUntil(lambda: tab.table.model.rowCount() == 1 and not tab.is_busy(), timeout=60_000)
    assert tab.table.results()[0].path == str(images[0])


def test_the_dataset_row_audits_the_dataset_and_enter_refiles_a_misfiled_photo(
    qtbot, tab: ClassifyTab, tmp_path: Path
) -> None:
    from PySide6.QtCore import Qt

    from tests.datasets import photo_tiles_with_mistakes

    tab.audit_dataset()
    assert tab.audit_window is None  # no dataset yet: the status line says how to start one
    root = photo_tiles_with_mistakes(tmp_path / "photos")
    tab.curation.use_folder(str(root))
    qtbot.keyClick(
        tab, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    )
    window = tab.audit_window
    assert window is not None
    qtbot.waitUntil(lambda: window.suspects.rowCount() > 0, timeout=60_000)
    assert window.pages.tabText(1) == "Leaks (1)"
    assert Path(window.suspects.item(0, 0).text()).name == "oops.png"
    assert not window.preview.pixmap().isNull()  # the photo is shown
    qtbot.keyClick(window.suspects, Qt.Key.Key_Return)
    assert (root / "train" / "coffee" / "oops.png").is_file()
    assert "filed under coffee" in window.summary.text()
    window.close()
    assert tab.audit_window is window and not window.jobs.is_busy()


WIDER = ((-0.02, -0.02), (0.02, -0.02), (0.02, 0.02), (-0.02, 0.02))
"""A hand's loop runs a little wider than the tight one (pixels round)."""


def test_the_audit_map_colours_the_photos_and_a_lassoed_group_is_filed_and_put_back(
    qtbot, tab: ClassifyTab, tmp_path: Path
) -> None:
    from PySide6.QtCore import QEvent, QPointF, Qt
    from PySide6.QtGui import QMouseEvent
    from PySide6.QtWidgets import QApplication

    from tests.datasets import photo_tiles_with_mistakes

    root = photo_tiles_with_mistakes(tmp_path / "photos")
    tab.curation.use_folder(str(root))
    tab.audit_dataset()
    window = tab.audit_window
    qtbot.waitUntil(lambda: window.map_page is not None, timeout=60_000)
    page = window.map_page
    window.pages.setCurrentWidget(page)
    labels = window.refiler.labels
    assert len(page.map.points) == len(labels) == 37
    textures = [i for i, label in enumerate(labels) if label == "textures"]
    # the brick tiles sit together: a loop around them holds no other photo
    xs, ys = page.map.points[textures, 0], page.map.points[textures, 1]
    pad = 0.01
    loop = [
        QPointF(xs.min() - pad, ys.min() - pad),
        QPointF(xs.max() + pad, ys.min() - pad),
        QPointF(xs.max() + pad, ys.max() + pad),
        QPointF(xs.min() - pad, ys.max() + pad),
    ]
    assert sorted(page.map.choose_inside(loop)) == textures
    page.map.hovered.emit(textures[0])
    assert not window.preview.pixmap().isNull()
    page.target.setCurrentText("bricks")
    page.file_button.click()
    assert sorted(p.name for p in (root / "train" / "bricks").iterdir()) == sorted(
        Path(window.refiler.paths[i]).name for i in textures if "/train/" in window.refiler.paths[i]
    )
    assert all(window.refiler.labels[i] == "bricks" for i in textures)
    qtbot.keyClick(page, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert not any(
        (root / split / "bricks").exists() and any((root / split / "bricks").iterdir())
        for split in ("train", "val")
    )
    assert len(list((root / "train" / "textures").iterdir())) == 9
    # a real drag with Lasso on (L) chooses what it encircles
    page.map.mark([])
    qtbot.keyClick(page.map, Qt.Key.Key_L)
    assert page.map.lasso_button.isChecked()
    view = page.map.plot.viewport()
    box = page.map.plot.getViewBox()
    box.setRange(xRange=(-0.2, 1.2), yRange=(-0.2, 1.2), padding=0)  # the loop fits in view
    qtbot.wait(50)
    wider = [QPointF(p.x() + dx, p.y() + dy) for p, (dx, dy) in zip(loop, WIDER, strict=True)]
    pixels = [page.map.plot.mapFromScene(box.mapViewToScene(p)) for p in wider]
    left = Qt.MouseButton.LeftButton

    def send(kind: QEvent.Type, at: QPointF, button: Qt.MouseButton) -> None:
        held = Qt.MouseButton.NoButton if kind == QEvent.Type.MouseButtonRelease else left
        event = QMouseEvent(
            kind, at, view.mapToGlobal(at), button, held, Qt.KeyboardModifier.NoModifier
        )
        QApplication.sendEvent(view, event)

    send(QEvent.Type.MouseButtonPress, QPointF(pixels[0]), left)
    for a, b in zip(pixels, [*pixels[1:], pixels[0]], strict=True):
        for step in range(1, 6):
            send(QEvent.Type.MouseMove, QPointF(a + (b - a) * step / 5), Qt.MouseButton.NoButton)
            qtbot.wait(30)  # pyqtgraph takes moves at most 60 times a second, as a hand makes
    send(QEvent.Type.MouseButtonRelease, QPointF(pixels[0]), left)
    assert sorted(page.map.chosen) == textures and page.file_button.isEnabled()
