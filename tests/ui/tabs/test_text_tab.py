from __future__ import annotations

import json
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from fmstudio.ui.tabs.classify_tab import ClassifyTab
from fmstudio.ui.tabs.text_tab import TextTab
from tests.ui.helpers import drop


@pytest.fixture
def tab(shown_tab) -> ClassifyTab:
    return shown_tab(TextTab)


def test_drop_files_type_labels_and_get_rows(qtbot, tab: ClassifyTab, tmp_path: Path) -> None:
    (tmp_path / "match.txt").write_text(
        "The goalkeeper saved a penalty and the team won the match."
    )
    (tmp_path / "notes.csv").write_text('text\n"Simmer the tomato sauce and add basil."\n')
    (tmp_path / "empty.txt").write_text("")
    qtbot.keyClicks(tab.controls.labels, "sports, cooking, finance")
    drop(tab.drop_area, [tmp_path])
    qtbot.waitUntil(lambda: tab.table.model.rowCount() == 3 and not tab.is_busy(), timeout=60_000)
    by_name = {Path(r.path).name: r for r in tab.table.results()}
    assert by_name["match.txt"].top.label == "sports"
    assert by_name["notes.csv#1"].top.label == "cooking"
    assert "empty" in by_name["empty.txt"].error
    tab.table.filter_edit.setText("cook")
    assert tab.table.visible_rows() == 1
    assert tab.settings.text_labels == "sports, cooking, finance"

    target = tmp_path / "out.json"
    tab.export_to(target)
    assert len(json.loads(target.read_text())) == 3


def test_pasted_text_is_classified(qtbot, tab: ClassifyTab) -> None:
    tab.controls.labels.setText("weather, music")
    tab.controls.paste_box.setPlainText(
        "Heavy rain and strong wind tonight.\n\nThe band played a new song."
    )
    tab.controls.classify_text_button.click()
    qtbot.waitUntil(lambda: tab.table.model.rowCount() == 2 and not tab.is_busy(), timeout=60_000)
    assert [r.top.label for r in tab.table.results()] == ["weather", "music"]
    tab.table.select_row(1)
    assert tab.bars.labels() == ["music", "weather"]


def test_missing_labels_are_explained_not_run(qtbot, tab: ClassifyTab, tmp_path: Path) -> None:
    """A refusal keeps what the user queued: the files run once the labels are there."""
    (tmp_path / "a.txt").write_text("It rained all night and the wind was strong.")
    tab.controls.labels.setText("only-one")
    tab.add_paths([str(tmp_path / "a.txt")])
    assert not tab.is_busy()
    assert (
        "at least two labels" in tab.status.text() and "(1 document waiting)" in tab.status.text()
    )
    assert tab.has_pending()
    tab.controls.labels.setText("weather, music")
    qtbot.keyClick(tab.controls.labels, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: tab.table.model.rowCount() == 1 and not tab.is_busy(), timeout=60_000)
    assert [r.top.label for r in tab.table.results() if r.top] == ["weather"]


def test_one_document_is_counted_in_the_singular(qtbot, tab: ClassifyTab) -> None:
    tab.controls.labels.setText("weather, music")
    tab.controls.paste_box.setPlainText("Heavy rain tonight.")
    tab.controls.classify_text_button.click()
    qtbot.waitUntil(lambda: tab.table.model.rowCount() == 1 and not tab.is_busy(), timeout=60_000)
    assert tab.status.text().startswith("1 document classified in ")


def test_a_trained_model_asks_for_no_labels(tab: ClassifyTab) -> None:
    assert tab.controls.labels.isEnabled() and "labels" in tab.status.text()
    sst2 = "distilbert/distilbert-base-uncased-finetuned-sst-2-english"
    tab.model_picker.setCurrentIndex(tab.model_picker.findData(sst2))
    assert not tab.controls.labels.isEnabled() and not tab.controls.template.isEnabled()
    assert "uses its own classes" in tab.status.text()
    tab.model_picker.setCurrentIndex(tab.model_picker.findData("all-MiniLM-L6-v2"))
    assert tab.controls.labels.isEnabled() and "Type two or more labels" in tab.status.text()


def test_top_k_template_and_export_folder_are_remembered(
    qtbot, tab: ClassifyTab, tmp_path: Path, monkeypatch
) -> None:
    from PySide6.QtWidgets import QFileDialog

    tab.controls.labels.setText("weather, music")
    tab.top_k.setValue(2)
    tab.controls.template.setText("A text about {label}.")
    tab.controls.paste_box.setPlainText("Heavy rain tonight.")
    tab.controls.classify_text_button.click()
    qtbot.waitUntil(lambda: tab.table.model.rowCount() == 1 and not tab.is_busy(), timeout=60_000)
    starts: list[str] = []
    target = tmp_path / "exports" / "mine.csv"
    target.parent.mkdir()

    def save_dialog(_parent, _title, start, _filter):
        starts.append(start)
        return str(target), ""

    monkeypatch.setattr(QFileDialog, "getSaveFileName", save_dialog)
    tab.export_dialog()
    tab.export_dialog()
    assert Path(starts[1]).parent == target.parent  # the second export opens where the first went

    again = TextTab(tab.settings)
    qtbot.addWidget(again)
    assert again.top_k.value() == 2 and again.controls.template.text() == "A text about {label}."


def test_rows_say_which_model_ranked_them_pasted_rows_show_and_top_k_trims(
    qtbot, tab: ClassifyTab, tmp_path: Path, tiny_text_base: Path, monkeypatch
) -> None:
    from PySide6.QtWidgets import QFileDialog

    from fmstudio.ui.widgets.results_table import COL_MODEL

    for i in range(30):
        (tmp_path / f"{i}.txt").write_text(f"The team won match number {i}.")
    tab.controls.labels.setText("sports, cooking, weather")
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: str(tmp_path))
    tab.add_folder()  # File > Add folder…
    qtbot.waitUntil(lambda: tab.table.model.rowCount() == 30 and not tab.is_busy(), timeout=60_000)
    assert tab.table.view.isColumnHidden(COL_MODEL), "one model: no model column"
    tab.table.select_row(0)
    assert len(tab.bars.labels()) == 3
    tab.top_k.setValue(2)
    assert len(tab.bars.labels()) == 2, "top-k trims the ranking shown at once"

    tab.model_picker.setEditText(str(tiny_text_base))
    tab.controls.paste_box.setPlainText("Rain all day.")
    tab.controls.classify_pasted()
    qtbot.waitUntil(lambda: tab.table.model.rowCount() == 31 and not tab.is_busy(), timeout=60_000)
    assert not tab.table.view.isColumnHidden(COL_MODEL)
    by = [tab.table.model.item(r, COL_MODEL).text() for r in range(31)]
    assert by[0] == "all-MiniLM-L6-v2" and by[30] == str(tiny_text_base)
    assert tab.table.current_index() == 30, "the pasted text's row is selected and shown"
    # The export writes what the window shows: top-2 rankings, and the pasted text itself
    import csv

    target = tmp_path / "out.csv"
    tab.export_to(target)
    rows = list(csv.DictReader(target.open(encoding="utf-8")))
    assert len(rows) == 31 and all(len(r["ranking"].split("; ")) <= 2 for r in rows)
    assert rows[30]["text"] == "Rain all day."
    tab.clear()
    assert tab.table.view.isColumnHidden(COL_MODEL)


def test_a_full_disk_while_exporting_keeps_the_earlier_export(
    qtbot, tab: ClassifyTab, tmp_path: Path, monkeypatch
) -> None:
    import errno

    from fmstudio.core import atomic
    from fmstudio.ui.errors import is_expected, user_message

    tab.controls.labels.setText("weather, music")
    tab.controls.paste_box.setPlainText("Heavy rain tonight.")
    tab.controls.classify_pasted()
    qtbot.waitUntil(lambda: tab.table.model.rowCount() == 1 and not tab.is_busy(), timeout=60_000)
    target = tmp_path / "out.csv"
    tab.export_to(target)
    before = target.read_text()
    real_replace = atomic.os.replace

    def disk_full(src, dst):
        raise OSError(errno.ENOSPC, "No space left on device", str(dst))

    monkeypatch.setattr(atomic.os, "replace", disk_full)
    tab.export_to(target.with_suffix(".json"))
    tab.export_to(target)
    monkeypatch.setattr(atomic.os, "replace", real_replace)
    assert "No space left on device" in tab.status.text()
    assert target.read_text() == before, "the earlier export is intact"
    assert sorted(p.name for p in tmp_path.iterdir() if p.suffix in (".csv", ".json")) == [
        "out.csv"
    ], "no partial file left behind"
    error = OSError(errno.ENOSPC, "No space left on device", "/data/x.wav")
    assert user_message(error) == (
        "Could not write /data/x.wav: No space left on device. Nothing else was changed."
    )
    assert is_expected(error) and not is_expected(OSError(errno.EBADF, "bad descriptor"))


def test_chinese_labels_switch_to_the_multilingual_encoder_and_say_so(qtbot, tab: ClassifyTab):
    tab.controls.labels.setText("体育, 政治, 电影")
    tab.controls.paste_box.setPlainText(
        "我今天去看了一场足球比赛，我们的球队赢了。\n\n"
        "政府今天宣布了新的税收政策。\n\n"
        "这部电影的演员表演非常精彩。"
    )
    tab.controls.classify_pasted()
    qtbot.waitUntil(lambda: tab.table.model.rowCount() == 3 and not tab.is_busy(), timeout=60_000)
    assert [r.top.label for r in tab.table.results()] == ["体育", "政治", "电影"]
    said = tab.status.text()
    assert said.startswith("3 documents classified") and "using use-multilingual" in said


def test_showing_a_tab_loads_its_model_before_the_first_drop(qtbot, shown_tab, monkeypatch) -> None:
    """The first drop waited for the model to load (7 s for text, 31 s for speech)."""
    from fmstudio.core import loading

    monkeypatch.setattr(loading, "_cache", {})
    monkeypatch.setattr(loading, "_loading", {})
    assert not loading.is_loaded("all-MiniLM-L6-v2", "text", "cpu")
    shown_tab(TextTab)
    qtbot.waitUntil(lambda: loading.is_loaded("all-MiniLM-L6-v2", "text", "cpu"), timeout=60_000)


def test_clear_forgets_the_filter_and_the_pasted_text_and_review_needs_results(
    qtbot, tab: ClassifyTab
) -> None:
    """Clear kept the filter ("5 failed (see the red rows)" with the red rows hidden) and the
    pasted text; Ctrl+R on an empty tab asked for a dataset folder."""
    tab.controls.labels.setText("weather, music")
    tab.controls.paste_box.setPlainText("Heavy rain tonight.")
    tab.controls.classify_text_button.click()
    qtbot.waitUntil(lambda: tab.table.model.rowCount() == 1 and not tab.is_busy(), timeout=60_000)
    tab.table.filter_edit.setText("music")
    tab.clear()
    assert tab.table.filter_edit.text() == "" and tab.controls.paste_box.toPlainText() == ""
    assert not tab.review_least_sure()  # no dataset dialog: it would block here
    assert "Nothing to review yet" in tab.status.text()
