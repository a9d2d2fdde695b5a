"""Retrain a library model on its grown dataset from the model library, and compare the two."""

from __future__ import annotations

import json
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWizard

from fmstudio.core import paths
from fmstudio.core.classify.dataset import Dataset, Item
from fmstudio.core.classify.train_job import fine_tune
from fmstudio.core.data.report import relative_path
from fmstudio.core.events import run_to_end
from fmstudio.core.train.spec import TrainSpec
from fmstudio.ui.wizard.wizard import EVALUATE, SAVE, FineTuneWizard
from tests.datasets import make_image_folder


def test_retrain_from_the_library_compares_on_the_same_files(
    qtbot, tmp_path: Path, tiny_image_base: Path
) -> None:
    from fmstudio.ui.main_window import MainWindow

    data = make_image_folder(tmp_path / "colours", per_class=4)
    spec = TrainSpec(
        "image", str(data), "colours v1", base=str(tiny_image_base), mode="head", epochs=7, seed=3
    )
    run_to_end(fine_tune(spec))
    more = make_image_folder(tmp_path / "more", per_class=8, seed=1)
    dataset = Dataset(data, "image")
    for label in ("red", "blue"):
        dataset.add([Item(str(p)) for p in sorted((more / label).iterdir())], label)
    assert dataset.counts() == {"blue": 12, "red": 12}

    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    library = window.show_model_library()
    row = next(
        r
        for r in range(library.table.rowCount())
        if library.table.item(r, 0).text() == "colours v1"
    )
    assert not library.retrain_button.isEnabled()
    library.table.selectRow(row)
    assert library.retrain_button.isEnabled()
    library.retrain_button.click()
    wizard = window.workflows.wizard
    assert isinstance(wizard, FineTuneWizard) and wizard.windowTitle() == "Retrain colours v1"
    qtbot.waitUntil(wizard.data_page.isComplete, timeout=30_000)
    checked = wizard.data_page.report_view.toPlainText()
    assert "red 12" in checked and "blue 12" in checked
    wizard.next()
    assert wizard.model_page.picker.model_name() == str(tiny_image_base)
    assert wizard.model_page.mode.currentData() == "head"
    wizard.next()
    assert wizard.settings_page.epochs.value() == 7 and wizard.settings_page.seed.value() == 3
    wizard.next()
    qtbot.waitUntil(wizard.train_page.isComplete, timeout=120_000)
    wizard.next()
    assert wizard.currentId() == EVALUATE
    page = wizard.evaluate_page
    qtbot.waitUntil(lambda: page.comparison.isVisible(), timeout=60_000)
    run_report = wizard.state.trained.report  # the split the job made
    v1_val = json.loads((paths.models_dir() / "colours v1" / "model.json").read_text())
    assert sorted(relative_path(s.path, run_report.root) for s in run_report.val) == sorted(
        v1_val["dataset"]["val_files"]
    ), "the retrain validates on the files v1 was validated on (and never trained on)"
    assert run_report.split == "kept" and not wizard.settings_page.val_split.isEnabled()
    n_val = len(run_report.val)
    assert f"On the same {n_val} validation files as colours v1" in page.comparison.summary.text()
    figures = page.comparison.figures
    new_accuracy = float(figures.item(0, 1).text().rstrip("%")) / 100
    assert abs(new_accuracy - wizard.state.trained.evaluation.accuracy) < 1e-3
    assert figures.item(0, 0).text().endswith("%") and "points" in figures.item(0, 2).text()
    assert page.comparison.changed.rowCount() == len(page.comparison.shown.change_rows())

    wizard.next()
    save = wizard.save_page
    assert wizard.currentId() == SAVE and save.name.text() == "colours v1"
    unlabelled = make_image_folder(tmp_path / "unlabelled", per_class=5, seed=2)
    save.next_box.setChecked(True)
    assert not save.isComplete(), "checked, it needs a folder"
    save.unlabelled.setText(str(unlabelled))
    save.how_many.setValue(3)
    wizard.button(QWizard.WizardButton.FinishButton).click()
    card = json.loads((paths.models_dir() / "colours v1" / "model.json").read_text())
    assert card["dataset"]["train_examples"] + card["dataset"]["val_examples"] == 24
    assert card["hyperparameters"]["epochs"] == 7

    # find what to label next: the new model classifies the folder, the 3 least sure come up
    tab = window.tabs_by_key["image"]
    assert window.current_key() == "image" and tab.model_picker.model_name() == "colours v1"
    qtbot.waitUntil(tab.curation.is_reviewing, timeout=60_000)
    assert tab.table.model.rowCount() == 10 and tab.curation.queue.remaining == 3
    scores = sorted(r.top.score for r in tab.table.results())
    assert tab.table.results()[tab.table.current_index()].top.score == scores[0]
    for _ in range(3):
        qtbot.keyClick(tab.table.view, Qt.Key.Key_Return)
    assert "3 reviewed / 0 remaining" in tab.curation.bar.text()
    assert sum(Dataset(data, "image").counts().values()) == 27
    tab.dataset_row.train_button.click()
    again = window.workflows.wizard
    assert again is not wizard and again.windowTitle() == "Retrain colours v1"
    again.reject()
    window.close()
