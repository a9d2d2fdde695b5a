"""Exporting from the window: the model library's Export…, and the export dialog's job."""

from __future__ import annotations

import json
from pathlib import Path

from fmstudio.core.config import Settings
from fmstudio.ui.widgets.dialogs import ModelLibraryDialog
from fmstudio.ui.widgets.model_export_dialog import ModelExportDialog


def _select(dialog: ModelLibraryDialog, name: str) -> None:
    row = next(r for r in range(dialog.table.rowCount()) if dialog.table.item(r, 0).text() == name)
    dialog.table.clearSelection()  # selectRow adds to it when a modifier key looks held
    dialog.table.selectRow(row)


def test_library_offers_export_for_torch_classifiers_only(qtbot) -> None:
    dialog = ModelLibraryDialog()
    qtbot.addWidget(dialog)
    assert not dialog.export_button.isEnabled()
    for name, can in (
        ("efficientnet_lite0", True),
        ("all-MiniLM-L6-v2", True),
        ("use-multilingual", False),
        ("whisper-tiny.en", False),
        ("resnet50.a1_in1k", False),
    ):
        _select(dialog, name)
        assert dialog.export_button.isEnabled() is can, name
    _select(dialog, "efficientnet_lite0")
    with qtbot.waitSignal(dialog.export_requested) as asked:
        dialog.export_button.click()
    assert asked.args == ["image", "efficientnet_lite0"]


def test_export_dialog_writes_a_checked_folder_and_remembers(
    qtbot, tmp_path: Path, tiny_image_base: Path
) -> None:
    settings = Settings(model_export_folder=str(tmp_path))
    dialog = ModelExportDialog(settings, "image", str(tiny_image_base))
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.folder.text() == str(tmp_path / f"{tiny_image_base.name}-onnx")
    dialog.format.setCurrentIndex(dialog.format.findData("torchscript"))
    assert dialog.folder.text() == str(tmp_path / f"{tiny_image_base.name}-torchscript")
    dialog.format.setCurrentIndex(dialog.format.findData("onnx"))
    assert dialog.start()
    assert not dialog.export_button.isEnabled()  # no second export while one runs
    qtbot.waitUntil(lambda: not dialog.jobs.is_busy(), timeout=60_000)
    folder = tmp_path / f"{tiny_image_base.name}-onnx"
    meta = json.loads((folder / "fmstudio-export.json").read_text())
    assert meta["format"] == "onnx" and meta["check"]["top1_same"]
    assert "same answers as PyTorch" in dialog.status.text()
    assert dialog.open_button.isEnabled() and dialog.export_button.isEnabled()
    assert settings.model_export_format == "onnx" and settings.model_export_folder == str(tmp_path)


def test_export_dialog_says_why_it_cannot_and_closes_while_busy(
    qtbot, tmp_path: Path, tiny_image_base: Path
) -> None:
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "keep.txt").write_text("mine")
    dialog = ModelExportDialog(Settings(), "image", str(tiny_image_base))
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.folder.setText(str(mine))
    dialog.start()
    qtbot.waitUntil(lambda: not dialog.jobs.is_busy(), timeout=60_000)
    assert "not an fmstudio export" in dialog.status.text()
    assert [p.name for p in mine.iterdir()] == ["keep.txt"]
    dialog.folder.setText(str(tmp_path / "out"))
    dialog.start()
    dialog.close()  # waits for the worker: no thread outlives the dialog
    qtbot.waitUntil(lambda: not dialog.jobs.is_busy(), timeout=5_000)
    assert not list(tmp_path.glob(".out.tmp-*")), "a half-written export was left"


def test_the_library_lists_yours_first_with_figures_and_renames_and_deletes(
    qtbot, tiny_text_base: Path, text_folder: Path, monkeypatch, questions
) -> None:
    """The library sorted Z→A, mixed your models with the hub's, had no accuracy or date
    and no way to rename or delete."""
    from fmstudio.core import paths
    from fmstudio.core.classify.train_job import fine_tune
    from fmstudio.core.events import run_to_end
    from fmstudio.core.train.spec import TrainSpec

    spec = TrainSpec("text", str(text_folder), "topics", base=str(tiny_text_base), mode="head")
    run_to_end(fine_tune(spec))
    dialog = ModelLibraryDialog()
    qtbot.addWidget(dialog)
    first = [dialog.table.item(0, c).text() for c in range(len(dialog.COLUMNS))]
    assert first[0] == "topics" and first[2] == "yours"
    assert first[4].startswith("accuracy ") and first[5][:2] == "20"  # a date
    sources = [dialog.table.item(r, 2).text() for r in range(dialog.table.rowCount())]
    assert sources.index("hub") > sources.index("bundled")
    _select(dialog, "topics")
    assert dialog.rename_button.isEnabled() and dialog.delete_button.isEnabled()
    from fmstudio.ui.widgets import dialogs

    monkeypatch.setattr(dialogs, "ask_name", lambda *a: "sports-or-not")
    with qtbot.waitSignal(dialog.library_changed):
        dialog.rename_button.click()
    assert (paths.models_dir() / "sports-or-not" / "model.json").is_file()
    assert not (paths.models_dir() / "topics").exists()
    _select(dialog, "sports-or-not")
    with qtbot.waitSignal(dialog.library_changed):
        dialog.delete_button.click()
    assert questions and "removed for good" in questions[-1]
    assert not (paths.models_dir() / "sports-or-not").exists()
    _select(dialog, "efficientnet_lite0")
    assert not dialog.delete_button.isEnabled()  # bundled models are not yours to delete


def test_the_pickers_name_your_models_as_the_library_does(qtbot, tiny_text_base, text_folder):
    from fmstudio.core.classify.train_job import fine_tune
    from fmstudio.core.events import run_to_end
    from fmstudio.core.train.spec import TrainSpec
    from fmstudio.ui.widgets.model_picker import ModelPicker

    spec = TrainSpec("text", str(text_folder), "mine", base=str(tiny_text_base), mode="head")
    run_to_end(fine_tune(spec))
    picker = ModelPicker("text", "mine")
    qtbot.addWidget(picker)
    assert picker.currentText() == "mine  (yours)" and picker.model_name() == "mine"


def test_the_tab_offers_models_that_name_sounds_and_the_wizard_those_that_train(qtbot) -> None:
    from fmstudio.ui.widgets.model_picker import ModelPicker

    tab, wizard = ModelPicker("sound"), ModelPicker("sound", training=True)
    qtbot.addWidget(tab)
    qtbot.addWidget(wizard)
    listed = [[p.itemData(i) for i in range(p.count())] for p in (tab, wizard)]
    assert "yamnet" in listed[0] and "sfx-cnn" not in listed[0]
    assert "sfx-cnn" in listed[1] and "yamnet" not in listed[1]


def test_library_shows_what_each_familys_model_measured(qtbot) -> None:
    from fmstudio.core import paths

    for name, task, metrics in (
        ("my colours", "image", {"accuracy": 0.9312}),
        ("my voice", "speech", {"wer_after": 0.1204, "wer_before": 0.3}),
        ("my coins", "detect", {"map": 0.7871, "map_after": 0.7871, "map_50": 0.99}),
    ):
        folder = paths.models_dir() / name
        folder.mkdir(parents=True)
        card = {"task": task, "metrics": metrics, "created": "2026-12-05T09:30:00"}
        (folder / "model.json").write_text(json.dumps(card))
    dialog = ModelLibraryDialog()
    qtbot.addWidget(dialog)
    shown = {
        dialog.table.item(r, 0).text(): dialog.table.item(r, 4).text()
        for r in range(dialog.table.rowCount())
    }
    assert shown["my colours"] == "accuracy 93.1%"
    assert shown["my voice"] == "WER 12.0%"
    assert shown["my coins"] == "mAP 0.787"
