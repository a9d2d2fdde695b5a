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
