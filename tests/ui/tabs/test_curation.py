"""From trying to training in the Text tab: zero-shot results seed a dataset by Add and by a
keyboard review, an add is undone, the inputs are sorted into folders. Real MiniLM, real files."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from fmstudio.core.classify.dataset import Item
from fmstudio.core.config import Settings
from fmstudio.ui.tabs.classify_tab import ClassifyTab
from fmstudio.ui.tabs.text_tab import TextTab
from fmstudio.ui.widgets.dataset_dialog import DatasetDialog
from fmstudio.ui.widgets.sort_dialog import SortDialog

DOCS = {
    "match.txt": "The striker scored a late goal and the team won the league match.",
    "derby.txt": "Fans cheered as the coach celebrated the penalty that won the game.",
    "stew.txt": "Simmer the onions in butter, add garlic and flour, then bake the stew.",
    "bread.txt": "Knead the dough, let it rise, and bake the bread in a hot oven.",
    "picnic.txt": "We ate sandwiches in the park after watching the kids play football.",
}


@pytest.fixture
def tab(qtbot, tmp_path: Path) -> ClassifyTab:
    widget = TextTab(Settings(text_labels="sports, cooking"))
    qtbot.addWidget(widget)
    widget.resize(1100, 700)
    widget.show()
    src = tmp_path / "docs"
    src.mkdir()
    for name, text in DOCS.items():
        (src / name).write_text(text, encoding="utf-8")
    (src / "rows.csv").write_text('text\n"Whisk the eggs with sugar."\n', encoding="utf-8")
    widget.add_paths([str(src)])
    widget.controls.paste_box.setPlainText("The referee showed a red card.")
    widget.controls.classify_pasted()
    qtbot.waitUntil(
        lambda: widget.table.model.rowCount() == 7 and not widget.is_busy(), timeout=60_000
    )
    yield widget
    widget.shutdown()


def _answer(monkeypatch, folder: Path, label: str | None = None) -> None:
    def exec_(dialog: DatasetDialog) -> int:
        dialog.folder.setText(str(folder))
        if label is not None:
            dialog.label.setCurrentText(label)
        return 1

    monkeypatch.setattr(DatasetDialog, "exec", exec_)


def _names(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()}


def test_add_selected_rows_then_undo(qtbot, tab: ClassifyTab, tmp_path: Path, monkeypatch) -> None:
    dataset = tmp_path / "dataset"
    by_name = {Path(r.path).name: i for i, r in enumerate(tab.table.results())}
    selection = tab.table.view.selectionModel()
    selection.clear()
    for name in ("match.txt", "pasted#1", "rows.csv#1"):
        index = tab.table.proxy.mapFromSource(tab.table.model.index(by_name[name], 0))
        selection.select(index, selection.SelectionFlag.Select | selection.SelectionFlag.Rows)
    _answer(monkeypatch, dataset, "sports")
    qtbot.keyClick(tab, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    assert _names(dataset) == {
        str(Path("sports") / n)
        for n in ("match.txt", "the-referee-showed-a-red-card.txt", "rows-row1.txt")
    }
    assert (dataset / "sports" / "rows-row1.txt").read_text(
        encoding="utf-8"
    ) == "Whisk the eggs with sugar."
    assert tab.settings.datasets["text"] == str(dataset)
    assert "sports: 3" in tab.dataset_row.label.text()

    qtbot.keyClick(tab, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    assert "already in the dataset" in tab.status.text() and len(_names(dataset)) == 3

    qtbot.keyClick(tab, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)  # the empty add
    qtbot.keyClick(tab, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert _names(dataset) == set() and "3 files removed" in tab.status.text()
    assert (tmp_path / "docs" / "match.txt").read_text(encoding="utf-8") == DOCS["match.txt"]


def test_review_by_keyboard_least_sure_first(
    qtbot, tab: ClassifyTab, tmp_path: Path, monkeypatch
) -> None:
    dataset = tmp_path / "dataset"
    _answer(monkeypatch, dataset)
    qtbot.keyClick(tab, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    assert tab.curation.is_reviewing() and tab.review_button.isChecked()
    assert sorted(tab.curation.classes) == ["cooking", "sports"]
    sports_key = [Qt.Key.Key_1, Qt.Key.Key_2][tab.curation.classes.index("sports")]
    results = tab.table.results()
    order = sorted(range(len(results)), key=lambda i: results[i].top.score)
    assert tab.table.current_index() == order[0], "the least sure comes first"
    view = tab.table.view
    qtbot.keyClick(view, sports_key)
    assert tab.table.current_index() == order[1]
    qtbot.keyClick(view, Qt.Key.Key_S)  # skip
    qtbot.keyClick(view, Qt.Key.Key_Return)  # accept the prediction
    assert "3 reviewed / 4 remaining" in tab.curation.bar.text(), tab.status.text()
    first, third = results[order[0]], results[order[2]]
    assert (dataset / "sports").is_dir()
    added = _names(dataset)
    assert len(added) == 2
    assert any(n.startswith(third.top.label) for n in added)

    qtbot.keyClick(tab, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert len(_names(dataset)) == 1 and tab.table.current_index() == order[2]
    assert "2 reviewed / 5 remaining" in tab.curation.bar.text()
    _answer(monkeypatch, dataset, "weather")  # a class no key has: typed in Add to dataset
    qtbot.keyClick(tab, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    assert "3 reviewed / 4 remaining" in tab.curation.bar.text(), tab.status.text()
    assert tab.curation.keys["3"] == "weather", "a new class gets the next key"
    assert (dataset / "weather").is_dir()
    for _ in range(4):
        qtbot.keyClick(view, Qt.Key.Key_Enter)
    assert "7 reviewed / 0 remaining" in tab.curation.bar.text()
    assert "Done" in tab.curation.bar.text()
    assert len(_names(dataset)) == 6, "the skipped one is not added"
    assert str(Path("sports") / Item.of(first).file_name()) in _names(dataset), "the key of sports"

    emitted: list[tuple[str, str]] = []
    tab.train_requested.connect(lambda task, folder: emitted.append((task, folder)))
    tab.dataset_row.train_button.click()
    assert emitted == [("text", str(dataset))]
    qtbot.keyClick(tab, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    assert not tab.curation.is_reviewing() and not tab.curation.bar.isVisible()


def test_sort_into_folders_from_the_tab(
    qtbot, tab: ClassifyTab, tmp_path: Path, monkeypatch
) -> None:
    out = tmp_path / "sorted"

    def exec_(dialog: SortDialog) -> int:
        dialog.folder.setText(str(out))
        dialog.min_score.setValue(95)
        assert "Copy 7 into" in dialog.plan.text()
        return 1

    monkeypatch.setattr(SortDialog, "exec", exec_)
    tab.sort_button.click()
    qtbot.waitUntil(lambda: not tab.is_busy(), timeout=30_000)
    assert "Sorted:" in tab.status.text()
    with (out / "manifest.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 7
    for row in rows:
        assert Path(row["destination"]).is_file()
        expected = "_unsure" if float(row["score"]) < 0.95 else row["label"]
        assert Path(row["destination"]).parent.name == expected
    assert sorted(p.name for p in (tmp_path / "docs").iterdir()) == sorted([*DOCS, "rows.csv"])
