"""A trained model's unsure threshold is what `--sort-into` uses unless --min-score says."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from fmstudio.core.classify.train_job import fine_tune
from fmstudio.core.events import run_to_end
from fmstudio.core.train.spec import TrainSpec
from tests.cli.runner import fmstudio

pytestmark = pytest.mark.slow  # trains, then spawns the CLI


def test_sorting_with_a_trained_model_puts_what_it_is_unsure_of_aside(
    tiny_text_base: Path, text_folder: Path, tmp_path: Path
) -> None:
    model = tmp_path / "topics"
    spec = TrainSpec("text", str(text_folder), str(model), base=str(tiny_text_base), mode="head")
    run_to_end(fine_tune(spec))
    card = json.loads((model / "model.json").read_text())
    card["calibration"]["unsure_below"] = 0.999  # a tiny model is never that sure
    (model / "model.json").write_text(json.dumps(card))
    src = tmp_path / "docs"
    src.mkdir()
    (src / "a.txt").write_text("the striker scored a goal", encoding="utf-8")
    (src / "b.txt").write_text("bake the onion with butter", encoding="utf-8")
    listed = fmstudio("text", "classify", str(src), "--model", str(model))
    rows = [line for line in listed.stdout.splitlines() if line.strip()]
    assert len(rows) == 2 and all(line.endswith("(unsure)") for line in rows)
    run = fmstudio(
        "text", "classify", str(src), "--model", str(model), "--sort-into", str(tmp_path / "out")
    )
    assert run.returncode == 0, run.stderr
    assert "unsure below 100%: the threshold" in run.stderr
    assert sorted(p.name for p in (tmp_path / "out" / "_unsure").iterdir()) == ["a.txt", "b.txt"]
    run = fmstudio(
        "text",
        "classify",
        str(src),
        "--model",
        str(model),
        "--sort-into",
        str(tmp_path / "o2"),
        "--min-score",
        "0",
    )
    assert run.returncode == 0 and not (tmp_path / "o2" / "_unsure").exists()
