"""`fmstudio train speech` and `fmstudio eval speech` as a user runs them, in a subprocess."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from fmstudio.core import paths
from tests.cli.runner import run

pytestmark = pytest.mark.slow  # spawns the CLI


def test_train_speech_with_json_progress(clip_folder: Path, tiny_whisper_base: Path) -> None:
    out = run(
        "train",
        "speech",
        str(clip_folder),
        "--output",
        "cli-speech",
        "--base",
        str(tiny_whisper_base),
        "--epochs",
        "1",
        "--val-split",
        "0.1",
        "--json-progress",
    )
    assert out.returncode == 0, out.stderr
    events = [json.loads(line) for line in out.stdout.splitlines()]
    epochs = [e for e in events if e["event"] == "epochmetrics"]
    assert len(epochs) == 1 and epochs[0]["val_wer"] is not None
    saved = events[-1]
    assert saved["event"] == "saved" and "wer_after" in saved and "wer_before" not in saved
    assert saved["folder"] == str(paths.models_dir() / "cli-speech")
    assert (Path(saved["folder"]) / "model.bin").is_file()


def test_eval_speech_json_shape(clip_folder: Path) -> None:
    out = run("eval", "speech", str(clip_folder), "--model", "whisper-tiny.en", "--json")
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    assert set(report) == {"wer", "cer", "n", "words", "per_clip"}
    assert report["n"] == 12 and report["words"] > 60
    assert set(report["per_clip"][0]) == {"path", "reference", "hypothesis", "wer"}
    assert 0 < report["wer"] < 1


def test_train_speech_refuses_head_mode_and_too_few_clips(tmp_path: Path, clip_folder: Path):
    head = run("train", "speech", str(clip_folder), "--output", "x", "--mode", "head")
    assert head.returncode != 0 and "full mode only" in head.stderr
    (tmp_path / "a.wav").write_bytes((clip_folder / "clip00.wav").read_bytes())
    (tmp_path / "a.txt").write_text("hello")
    few = run("train", "speech", str(tmp_path), "--output", "x")
    assert few.returncode != 0
    assert "1 usable clips; training needs at least 10" in few.stderr
