from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.runner import fmstudio

pytestmark = pytest.mark.slow  # spawns the CLI


def test_text_classify_json_and_exit_status(tmp_path: Path) -> None:
    tmp_path = tmp_path / "docs"
    tmp_path.mkdir()
    (tmp_path / "game.txt").write_text("The goalkeeper saved a penalty and the team won the match.")
    (tmp_path / "rows.csv").write_text('id,text\n1,"Simmer the sauce and add fresh basil."\n')
    ok = fmstudio(
        "text", "classify", str(tmp_path), "--labels", "sports, cooking, finance", "--json"
    )
    assert ok.returncode == 0, ok.stderr
    data = json.loads(ok.stdout)
    assert [Path(d["path"]).name for d in data] == ["game.txt", "rows.csv#1"]
    assert [d["predictions"][0]["label"] for d in data] == ["sports", "cooking"]
    assert all(set(d) == {"path", "predictions", "error"} and d["error"] is None for d in data)

    (tmp_path / "blob.txt").write_bytes(bytes(range(256)))
    bad = fmstudio("text", "classify", str(tmp_path), "--labels", "sports, cooking", "--json")
    assert bad.returncode == 2
    blob = next(d for d in json.loads(bad.stdout) if d["path"].endswith("blob.txt"))
    assert blob["predictions"] == [] and "binary" in blob["error"]


def test_text_classify_needs_labels_or_model(tmp_path: Path) -> None:
    out = fmstudio("text", "classify", str(tmp_path))
    assert out.returncode == 1 and "give --labels" in out.stderr
