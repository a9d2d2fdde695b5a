"""The fine-tuning wizard for object detection: data health, training with mAP curves,
the detector's evaluation view, saving; and evaluating the bundled detector alone."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QWizard

from fmstudio.core import paths
from fmstudio.ui.widgets.detection_view import DetectionView
from fmstudio.ui.wizard.wizard import EVALUATE
from tests.datasets import make_coin_boxes, make_photo_boxes
from tests.ui.helpers import open_wizard

pytestmark = pytest.mark.slow  # trains a real detector


def test_detect_walks_every_page_with_map_and_saves(qtbot, tmp_path: Path) -> None:
    data = make_coin_boxes(tmp_path / "coins", train=8, val=3)
    wizard = open_wizard(qtbot, "detect")
    assert "images with boxes" in wizard.data_page.folder.placeholderText()
    wizard.data_page.set_folder(str(data))
    qtbot.waitUntil(wizard.data_page.isComplete, timeout=60_000)
    text = wizard.data_page.report_view.toPlainText()
    assert "11 images (YOLO): 8 training and 3 validation (folders split)" in text
    assert "boxes: coin" in text
    wizard.next()
    assert "centernet-coco" in wizard.model_page.picker.model_name()
    wizard.next()
    augment = wizard.settings_page.augment
    assert augment.isEnabled() and augment.text() == "Random flips, zoom-outs and colour changes"
    wizard.settings_page.epochs.setValue(2)
    wizard.next()
    page = wizard.train_page
    qtbot.waitUntil(page.isComplete, timeout=240_000)
    assert len(page.curves.history.val_metrics["map"]) == 2
    assert "val mAP" in page.log.toPlainText()
    wizard.next()
    view = wizard.evaluate_page.view
    assert isinstance(view, DetectionView) and view.isVisible()
    assert "mAP" in view.headline.text() and view.classes.rowCount() == 1
    assert view.classes.isColumnHidden(1)  # the COCO model knows no coin: no "before"
    wizard.next()
    with qtbot.waitSignal(wizard.model_saved) as saved:
        wizard.button(QWizard.WizardButton.FinishButton).click()
    assert saved.args[0] == "detect"
    assert (paths.models_dir() / saved.args[1] / "weights.safetensors").is_file()


def test_evaluate_only_scores_the_bundled_detector(qtbot, tmp_path: Path) -> None:
    data = make_photo_boxes(tmp_path / "photos")
    wizard = open_wizard(qtbot, "detect", evaluate="centernet-coco")
    wizard.data_page.set_folder(str(data))
    qtbot.waitUntil(wizard.data_page.isComplete, timeout=60_000)
    assert "5 images to evaluate" in wizard.data_page.report_view.toPlainText()
    wizard.next()
    wizard.next()
    assert wizard.currentId() == EVALUATE
    qtbot.waitUntil(wizard.evaluate_page.isComplete, timeout=120_000)
    view = wizard.evaluate_page.view
    assert view.headline.text().startswith("centernet-coco: mAP")
    assert view.classes.rowCount() == 4 and view.classes.isColumnHidden(1)
