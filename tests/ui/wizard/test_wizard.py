"""The fine-tuning wizard, driven as a user would, offscreen, with tiny models."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWizard

from fmstudio.core import paths
from fmstudio.core.classify.train_job import fine_tune
from fmstudio.core.events import run_to_end
from fmstudio.core.train.spec import TrainSpec
from fmstudio.ui.wizard.wizard import EVALUATE, SAVE, SETTINGS, FineTuneWizard
from tests.ui.helpers import open_wizard, to_model_page, to_training


def test_walks_every_page_trains_and_saves(qtbot, tiny_image_base: Path, image_folder: Path):
    wizard = open_wizard(qtbot)
    wizard.data_page.set_folder(str(image_folder))
    qtbot.waitUntil(wizard.data_page.isComplete, timeout=30_000)
    assert "2 classes" in wizard.data_page.report_view.toPlainText()
    wizard.back()
    to_training(qtbot, wizard, image_folder, tiny_image_base, epochs=30, patience=0)
    page = wizard.train_page
    qtbot.waitUntil(page.isComplete, timeout=120_000)
    qtbot.waitUntil(lambda: page.curves.points() > 0, timeout=2_000)
    assert len(page.curves.history.val_accuracy) == 30
    assert "epoch 30/30" in page.log.toPlainText()
    assert "Saved the new model" in page.log.toPlainText()
    assert ".unsaved" not in page.log.toPlainText(), "no hidden staging name in the log"

    wizard.next()
    assert wizard.currentId() == EVALUATE
    view = wizard.evaluate_page.view
    assert "Accuracy" in view.headline.text()
    assert view.confusion.rowCount() == 2 and view.per_class.rowCount() == 2
    total = sum(int(view.confusion.item(r, c).text()) for r in range(2) for c in range(2))
    assert total == len(wizard.state.report.val)

    wizard.next()
    assert wizard.currentId() == SAVE
    wizard.save_page.name.setText("wizard colours")
    assert not wizard.save_page.export_after.isHidden()
    wizard.save_page.export_after.setChecked(True)
    with (
        qtbot.waitSignal(wizard.model_saved) as saved,
        qtbot.waitSignal(wizard.export_requested) as export,
    ):
        wizard.button(QWizard.WizardButton.FinishButton).click()
    assert saved.args == ["image", "wizard colours"] == export.args
    folder = paths.models_dir() / "wizard colours"
    assert (folder / "model.json").is_file() and (folder / "model.safetensors").is_file()
    assert [p.name for p in paths.models_dir().iterdir()] == ["wizard colours"]


def test_pause_resume_and_stop(qtbot, tiny_image_base: Path, image_folder: Path):
    wizard = open_wizard(qtbot)
    to_training(qtbot, wizard, image_folder, tiny_image_base, epochs=1000, patience=0)
    page = wizard.train_page
    assert page.metrics.text() != "Waiting to start…"  # says what happens before step 1
    qtbot.waitUntil(lambda: len(page.curves.history.steps) > 3, timeout=60_000)
    page.pause_button.click()
    qtbot.wait(300)  # a step already under way may still report
    held = len(page.curves.history.steps)
    qtbot.wait(600)
    assert len(page.curves.history.steps) == held
    page.pause_button.click()
    qtbot.waitUntil(lambda: len(page.curves.history.steps) > held, timeout=10_000)
    page.status.stop_button.click()
    qtbot.waitUntil(lambda: not page.jobs.is_busy(), timeout=10_000)
    assert not page.isComplete()
    assert "Stopped" in page.log.toPlainText()
    assert page.curves.history.epochs[-1] < 1000
    wizard.reject()
    assert not any(paths.models_dir().glob("*unsaved*")), "unsaved model or checkpoint left"


def test_finish_now_keeps_the_best_epoch_so_far(qtbot, tiny_image_base: Path, image_folder: Path):
    wizard = open_wizard(qtbot)
    to_training(qtbot, wizard, image_folder, tiny_image_base, epochs=1000, patience=0)
    page = wizard.train_page
    qtbot.waitUntil(lambda: len(page.curves.history.val_accuracy) >= 2, timeout=60_000)
    qtbot.keyClick(
        page, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    )
    assert not page.finish_button.isEnabled() and "Finishing" in page.status.text()
    qtbot.waitUntil(page.isComplete, timeout=60_000)
    log = page.log.toPlainText()
    assert "finished on request" in log and "keeping epoch" in log
    assert wizard.state.trained is not None and len(wizard.state.trained.history) < 1000
    wizard.next()
    assert wizard.currentId() == EVALUATE
    assert "Accuracy" in wizard.evaluate_page.view.headline.text()
    wizard.reject()


def test_evaluates_an_existing_model(qtbot, tiny_image_base: Path, image_folder: Path, monkeypatch):
    spec = TrainSpec("image", str(image_folder), "existing", base=str(tiny_image_base), mode="head")
    run_to_end(fine_tune(spec))
    wizard = open_wizard(qtbot, "image", evaluate="existing")
    wizard.data_page.set_folder(str(image_folder))
    qtbot.waitUntil(wizard.data_page.isComplete, timeout=30_000)
    checked = wizard.data_page.report_view.toPlainText()
    assert "24 examples to evaluate" in checked and "training" not in checked
    from fmstudio.core.classify import evaluate

    def no_second_scan(*_args, **_kwargs):
        raise AssertionError("the Evaluate page scanned the folder again")

    monkeypatch.setattr(evaluate, "scan", no_second_scan)  # the Data page's scan is reused
    wizard.next()
    assert wizard.model_page.picker.model_name() == "existing"
    wizard.next()
    assert wizard.currentId() == EVALUATE
    qtbot.waitUntil(wizard.evaluate_page.isComplete, timeout=60_000)
    assert "on 24 examples" in wizard.evaluate_page.view.headline.text()


def test_new_model_appears_in_the_tab_picker(qtbot, tiny_image_base: Path, image_folder: Path):
    from fmstudio.ui.main_window import MainWindow

    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(window.device_known, timeout=30_000)
    spec = TrainSpec("image", str(image_folder), "fresh", base=str(tiny_image_base), mode="head")
    run_to_end(fine_tune(spec))
    window.workflows.model_saved("image", "fresh")
    assert window.tabs_by_key["image"].model_picker.model_name() == "fresh"
    wizard = window.workflows.fine_tune()
    assert isinstance(wizard, FineTuneWizard)
    wizard.reject()
    window.close()


@pytest.mark.slow
def test_speech_walks_every_page_with_wer_before_and_after(
    qtbot, tiny_whisper_base: Path, clip_folder: Path
):
    wizard = open_wizard(qtbot, "speech")
    assert "clips" in wizard.data_page.subTitle()
    wizard.data_page.set_folder(str(clip_folder))
    qtbot.waitUntil(wizard.data_page.isComplete, timeout=60_000)
    assert "12 clips (audiofolder metadata)" in wizard.data_page.report_view.toPlainText()
    wizard.next()
    assert wizard.model_page.form.isRowVisible(wizard.model_page.mode) is False
    assert "whisper-tiny.en" in wizard.model_page.picker.model_name()
    wizard.model_page.picker.setEditText(str(tiny_whisper_base))
    wizard.next()
    settings = wizard.settings_page
    assert settings.batch.value() == 5 and not settings.augment.isEnabled()
    assert settings.augment.text() == "None for this task"
    settings.epochs.setValue(2)
    settings.val_split.setValue(0.1)
    wizard.next()
    page = wizard.train_page
    qtbot.waitUntil(page.isComplete, timeout=180_000)
    assert len(page.curves.history.val_metrics["wer"]) == 2
    assert "val WER" in page.log.toPlainText()
    wizard.next()
    from fmstudio.ui.widgets.wer_view import WerView

    view = wizard.evaluate_page.view  # the transcriber family's view, the only one shown
    assert isinstance(view, WerView) and view.isVisible()
    assert all(w is view or not w.isVisible() for w in wizard.evaluate_page.views.values())
    assert view.table.rowCount() == 1 and "WER" in view.headline.text()
    assert "Reference" in view.detail.toHtml()
    wizard.next()
    assert wizard.save_page.name.text() == f"{clip_folder.stem}-speech"
    with qtbot.waitSignal(wizard.model_saved) as saved:
        wizard.button(QWizard.WizardButton.FinishButton).click()
    assert saved.args == ["speech", f"{clip_folder.stem}-speech"]
    assert (paths.models_dir() / saved.args[1] / "model.bin").is_file()


@pytest.mark.slow
def test_speech_evaluate_only_scores_the_bundled_model(qtbot, clip_folder: Path, monkeypatch):
    wizard = open_wizard(qtbot, "speech", evaluate="whisper-tiny.en")
    wizard.data_page.set_folder(str(clip_folder))
    qtbot.waitUntil(wizard.data_page.isComplete, timeout=60_000)
    assert "12 clips to evaluate" in wizard.data_page.report_view.toPlainText()
    from fmstudio.core.speech import evaluate

    def no_second_scan(*_args, **_kwargs):
        raise AssertionError("the Evaluate page scanned the clips again")

    monkeypatch.setattr(evaluate, "scan_clips", no_second_scan)  # the Data page's scan is reused
    wizard.next()
    wizard.next()
    assert wizard.currentId() == EVALUATE
    qtbot.waitUntil(wizard.evaluate_page.isComplete, timeout=120_000)
    view = wizard.evaluate_page.view
    assert view.table.rowCount() == 12 and view.table.isColumnHidden(1)
    assert view.headline.text().startswith("whisper-tiny.en: WER")
    worst = view._rows[0][1]
    assert worst.wer > 0 and "<s" in view.detail.toHtml()


def test_settings_page_exports_the_run_as_a_job_folder(
    qtbot, tiny_image_base: Path, image_folder: Path, tmp_path: Path
):
    import json

    from fmstudio.core.train.job_folder import load_job

    wizard = open_wizard(qtbot)
    wizard.data_page.set_folder(str(image_folder))
    qtbot.waitUntil(wizard.data_page.isComplete, timeout=30_000)
    wizard.next()
    wizard.model_page.picker.setEditText(str(tiny_image_base))
    wizard.next()
    assert wizard.currentId() == SETTINGS
    page = wizard.settings_page
    page.epochs.setValue(7)
    assert "cluster" in page.export_button.toolTip()
    page.export_button.click()
    dialog = page.job_dialog
    assert dialog.isVisible() and dialog.copy_data.isChecked()
    dialog.folder.setText(str(tmp_path / "colours-job"))
    dialog.export_button.click()
    qtbot.waitUntil(lambda: dialog.open_button.isEnabled(), timeout=60_000)
    assert "run-torchrun.sh" in dialog.status.text()
    spec = json.loads((tmp_path / "colours-job" / "spec.json").read_text())
    assert spec["epochs"] == 7 and spec["base"] == str(tiny_image_base)
    assert load_job(tmp_path / "colours-job").data == str(tmp_path / "colours-job" / "data")
    assert wizard.state.settings.job_export_folder == str(tmp_path)
    dialog.close()
    assert wizard.currentId() == SETTINGS, "the wizard goes on where it was"


def test_a_stopped_run_resumes_or_keeps_its_best_epoch(
    qtbot, tiny_image_base: Path, image_folder: Path
):
    """Stop keeps the finished epochs: Resume continues from the last one, Finish now keeps
    the best of them (evaluated, ready to save) without training another step."""
    wizard = open_wizard(qtbot)
    to_training(qtbot, wizard, image_folder, tiny_image_base, epochs=60, patience=0)
    page = wizard.train_page
    qtbot.waitUntil(lambda: len(page.curves.history.val_accuracy) >= 3, timeout=60_000)
    page.status.stop_button.click()
    qtbot.waitUntil(lambda: not page.jobs.is_busy(), timeout=10_000)
    assert "Resume (Ctrl+Shift+R) continues" in page.log.toPlainText()
    stopped = wizard.state.stopped_run()
    assert stopped is not None and page.resume_button.isEnabled()
    qtbot.keyClick(
        page, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    )
    assert page.jobs.is_busy() and not page.resume_button.isEnabled()
    qtbot.waitUntil(
        lambda: len(page.curves.history.val_accuracy) >= stopped.epoch + 3, timeout=60_000
    )
    assert f"resumed after epoch {stopped.epoch} of 60" in page.log.toPlainText()
    page.status.stop_button.click()
    qtbot.waitUntil(lambda: not page.jobs.is_busy(), timeout=10_000)
    again = wizard.state.stopped_run()
    assert again is not None and again.epoch > stopped.epoch

    page.finish_button.click()
    qtbot.waitUntil(page.isComplete, timeout=60_000)
    trained = wizard.state.trained
    assert trained is not None and len(trained.history) == again.epoch, "no step after Stop"
    assert "finished on request" in page.log.toPlainText()
    wizard.next()
    assert wizard.currentId() == EVALUATE
    wizard.reject()
    assert not any(paths.models_dir().glob("*unsaved*")), "unsaved model or checkpoint left"


def test_a_new_task_brings_its_own_base_model(qtbot, image_folder: Path, text_folder: Path) -> None:
    """Speech → Ctrl+T → Image kept whisper-tiny.en as the base; training then failed."""
    wizard = open_wizard(qtbot, "speech")
    assert wizard.state.model_or_default() == "whisper-tiny.en"
    to_model_page(qtbot, wizard, "image", image_folder)
    assert wizard.model_page.picker.model_name() == "efficientnet_lite0"
    wizard.back()
    to_model_page(qtbot, wizard, "text", text_folder)
    assert wizard.model_page.picker.task == "text"
    assert wizard.model_page.picker.model_name() == "all-MiniLM-L6-v2"


def test_evaluate_only_follows_the_task_and_can_go_back(
    qtbot, tiny_image_base: Path, image_folder: Path
) -> None:
    """Models → Evaluate from the Speech tab with Task set to Image measured whisper-tiny.en;
    its result page had no Back."""
    spec = TrainSpec("image", str(image_folder), "pets", base=str(tiny_image_base), mode="head")
    run_to_end(fine_tune(spec))
    wizard = open_wizard(qtbot, "speech", evaluate="whisper-tiny.en")
    wizard.state.settings.remember_model("image", "pets")
    to_model_page(qtbot, wizard, "image", image_folder)
    assert wizard.model_page.picker.model_name() == "pets"
    wizard.next()
    qtbot.waitUntil(wizard.evaluate_page.isComplete, timeout=60_000)
    assert wizard.currentId() == EVALUATE
    back = wizard.button(QWizard.WizardButton.BackButton)
    assert back.isVisible() and back.isEnabled()
    back.click()
    assert wizard.currentId() != EVALUATE


def test_quitting_during_training_asks_and_no_keeps_the_run(
    qtbot, tiny_image_base: Path, image_folder: Path, questions
) -> None:
    """The main window's × quit at once during training, and the run was lost; Ctrl+Q did
    nothing while the wizard was the active window."""
    from PySide6.QtWidgets import QMessageBox

    from fmstudio.ui.main_window import MainWindow
    from tests.ui.test_shortcuts import press

    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(window.device_known, timeout=30_000)
    wizard = window.workflows.open_wizard(None, task="image")
    to_training(qtbot, wizard, image_folder, tiny_image_base, epochs=1000, patience=0)
    page = wizard.train_page
    qtbot.waitUntil(lambda: len(page.curves.history.steps) > 1, timeout=60_000)

    questions.answer = QMessageBox.StandardButton.No
    wizard.activateWindow()
    press(wizard, "Ctrl+Q")  # Quit from the wizard's window reaches the main window
    assert len(questions) == 1 and "training" in questions[0]
    window.close()
    assert len(questions) == 2 and window.isVisible() and page.jobs.is_busy()
    wizard.reject()  # Cancel asks too
    assert len(questions) == 3 and wizard.isVisible() and page.jobs.is_busy()

    questions.answer = QMessageBox.StandardButton.Yes
    window.close()
    assert not window.isVisible() and not page.jobs.is_busy()


def test_a_refused_dataset_does_not_show_a_done_bar(qtbot, tmp_path: Path) -> None:
    """A dataset with one class showed a full blue "Done" bar beside its refusal."""
    from PIL import Image

    folder = tmp_path / "one-class" / "cats"
    folder.mkdir(parents=True)
    for i in range(4):
        Image.new("RGB", (32, 32), (i * 40, 10, 10)).save(folder / f"{i}.png")
    wizard = open_wizard(qtbot, "image")
    wizard.data_page.set_folder(str(folder.parent))
    qtbot.waitUntil(lambda: not wizard.data_page.jobs.is_busy(), timeout=30_000)
    qtbot.waitUntil(lambda: wizard.data_page.state.report is not None, timeout=30_000)
    status = wizard.data_page.status
    assert status.bar.format() != "Done" and status.bar.value() == 0
    assert "cannot be used" in status.text() and not wizard.data_page.isComplete()


def test_a_saved_model_is_named_after_its_dataset_not_after_train() -> None:
    """A speech model's default name was "train-speech"."""
    from types import SimpleNamespace

    from fmstudio.ui.wizard.save_page import default_name

    assert default_name(SimpleNamespace(root="/home/me/my-voice/train"), "speech") == (
        "my-voice-speech"
    )
    assert default_name(SimpleNamespace(root="/home/me/flowers"), "image") == "flowers-image"
    assert default_name(None, "text") == "model-text"


def test_sounds_train_from_the_sound_network_and_the_data_page_says_minutes(
    qtbot, tmp_path: Path
) -> None:
    from tests.datasets import make_sound_folder

    data = make_sound_folder(tmp_path / "sounds", per_class=4)
    wizard = open_wizard(qtbot, "sound")
    to_model_page(qtbot, wizard, "sound", data)
    report = wizard.data_page.report_view.toPlainText()
    assert "3 classes" in report and "chirp 4 (0.1 min)" in report
    assert wizard.model_page.picker.model_name() == "sfx-cnn"  # YAMNet cannot train
    wizard.model_page.mode.setCurrentIndex(wizard.model_page.mode.findData("head"))
    wizard.next()
    wizard.settings_page.epochs.setValue(20)
    wizard.next()
    page = wizard.train_page
    qtbot.waitUntil(page.isComplete, timeout=120_000)
    wizard.next()
    view = wizard.evaluate_page.view
    assert "Accuracy" in view.headline.text() and view.per_class.rowCount() == 3
    wizard.reject()


def test_the_data_page_audits_the_folder_and_a_key_refiles_the_misfiled_text(
    qtbot, text_folder: Path, tmp_path: Path
) -> None:
    import shutil

    from PySide6.QtCore import Qt

    data = tmp_path / "texts"
    shutil.copytree(text_folder, data)
    classes = sorted(p.name for p in data.iterdir())
    moved = next((data / classes[0]).iterdir())
    shutil.move(moved, data / classes[1] / "misfiled.txt")
    wizard = open_wizard(qtbot, "text")
    page = wizard.data_page
    page.set_folder(str(data))
    qtbot.waitUntil(page.isComplete, timeout=30_000)
    assert page.audit_button.isVisible()
    page.audit_button.click()
    window = page.audit_window
    assert window is not None and window.isVisible()
    assert page.isComplete()  # the audit does not hold the page up
    qtbot.waitUntil(lambda: window.suspects.rowCount() > 0, timeout=60_000)
    cells = [window.suspects.item(0, c).text() for c in range(3)]
    assert cells == [str(data / classes[1] / "misfiled.txt"), classes[1], classes[0]]
    assert window.suspects.currentRow() == 0 and "misfiled" in window.preview.text() + cells[0]
    qtbot.keyClick(window.suspects, Qt.Key.Key_Return)  # filed under the suggested class
    assert (data / classes[0] / "misfiled.txt").is_file()
    assert not (data / classes[1] / "misfiled.txt").exists()
    assert window.suspects.item(0, 4).text() == f"filed under {classes[0]}"
    qtbot.waitUntil(page.isComplete, timeout=30_000)  # checked again after the move
    qtbot.keyClick(window.suspects, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert (data / classes[1] / "misfiled.txt").is_file()
    assert window.suspects.item(0, 4).text() == ""
    qtbot.keyClick(window.suspects, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert "Nothing to put back" in window.summary.text()  # the second press says so
    page.task.setCurrentIndex(page.task.findData("speech"))
    assert not page.audit_button.isVisible()  # transcribers have no classes
    wizard.reject()


def test_the_ladder_fills_in_each_step_as_it_is_measured_and_closing_stops_it(
    qtbot, text_folder: Path
) -> None:
    wizard = open_wizard(qtbot, "text")
    page = wizard.data_page
    page.set_folder(str(text_folder))
    qtbot.waitUntil(page.isComplete, timeout=30_000)
    page.ladder_button.click()
    dialog = page.ladder_dialog
    assert dialog is not None and dialog.isVisible()
    qtbot.waitUntil(lambda: dialog.table.rowCount() >= 2, timeout=60_000)
    steps = [dialog.table.item(r, 0).text() for r in range(2)]
    assert steps[0].startswith("Zero-shot") and steps[1].startswith("Probe")
    assert dialog.table.item(1, 1).text().endswith("%")
    dialog.close()  # during the training steps: the climb stops
    qtbot.waitUntil(lambda: not dialog.jobs.is_busy(), timeout=30_000)
    assert dialog.table.rowCount() < 4
    wizard.reject()
