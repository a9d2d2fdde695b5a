"""The results table of the classify tabs: many rows, no crash."""

from __future__ import annotations

import sys

import pytest

from fmstudio.core.classify.results import ItemResult, Prediction
from fmstudio.ui.widgets.results_table import ResultsTable


@pytest.mark.skipif(sys.version_info >= (3, 12), reason="None is immortal from Python 3.12")
def test_adding_rows_keeps_the_references_to_none(qtbot) -> None:
    """PySide6 6.12.0's item setters dropped a reference to None on every call: the window
    crashed ("deallocating None") after a few thousand rows of results."""
    table = ResultsTable()
    qtbot.addWidget(table)
    rows = [
        ItemResult(f"pasted#{i}", (Prediction("sports", 0.9),), snippet="s") for i in range(500)
    ]
    before = sys.getrefcount(None)
    table.add_results(rows, ["s"] * len(rows))
    table.clear()
    assert sys.getrefcount(None) - before > -50, "each row lowered None's reference count"


def test_a_score_under_the_models_threshold_reads_unsure_and_sorting_offers_it(qtbot) -> None:
    from fmstudio.ui.widgets.sort_dialog import SortDialog

    table = ResultsTable()
    qtbot.addWidget(table)
    rows = [
        ItemResult(f"{name}.txt", (Prediction("sports", s),))
        for name, s in (("a", 0.9), ("b", 0.4))
    ]
    table.add_results(rows, model="mine", unsure_below=0.62)
    scores = [table.model.item(i, 2).text() for i in range(2)]
    assert scores == ["90.0%", "unsure · 40.0%"]
    assert "62%" in table.model.item(1, 2).toolTip()
    table.sort_by_score()  # the score still sorts as a number
    assert table.proxy.index(0, 2).data() == "unsure · 40.0%"
    dialog = SortDialog(rows, "", None, unsure_below=0.62)
    qtbot.addWidget(dialog)
    assert dialog.options().min_score == 0.62 and "62%" in dialog.min_score.toolTip()
    assert SortDialog(rows, "", None).options().min_score == 0.0
