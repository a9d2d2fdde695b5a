"""`fmstudio train` and `fmstudio eval` as a user runs them, in a real subprocess."""

from __future__ import annotations

import json
import os
import signal
import subprocess
from pathlib import Path

import pytest

from fmstudio.core import paths
from tests.cli.runner import command, run

pytestmark = pytest.mark.slow  # spawns the CLI


def test_train_json_progress_then_eval_json(tiny_image_base: Path, image_folder: Path) -> None:
    out = run(
        "train",
        "image",
        str(image_folder),
        "--output",
        "cli-colours",
        "--base",
        str(tiny_image_base),
        "--mode",
        "head",
        "--epochs",
        "15",
        "--json-progress",
    )
    assert out.returncode == 0, out.stderr
    events = [json.loads(line) for line in out.stdout.splitlines()]
    kinds = {e["event"] for e in events}
    assert {"log", "progress", "stepmetrics", "epochmetrics", "saved"} <= kinds
    epochs = [e for e in events if e["event"] == "epochmetrics"]
    assert epochs[0]["epoch"] == 1 and {"train_loss", "val_accuracy", "lr"} - set(epochs[0]) == {
        "lr"
    }
    assert events[-1]["folder"] == str(paths.models_dir() / "cli-colours")

    ev = run("eval", "image", str(image_folder), "--model", "cli-colours", "--json")
    assert ev.returncode == 0, ev.stderr
    report = json.loads(ev.stdout)
    assert report["n"] == 24 and report["labels"] == ["blue", "red"]
    assert len(report["confusion_matrix"]) == 2 and 0 <= report["macro_f1"] <= 1


def test_killed_run_resumes_to_a_finished_model(tiny_image_base: Path, image_folder: Path) -> None:
    args = (
        "train",
        "image",
        str(image_folder),
        "--output",
        "resumed",
        "--base",
        str(tiny_image_base),
        "--mode",
        "head",
        "--epochs",
        "400",
        "--early-stopping",
        "0",
        "--json-progress",
    )
    proc = subprocess.Popen(command(*args), stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    for line in proc.stdout:
        event = json.loads(line)
        if event["event"] == "epochmetrics" and event["epoch"] >= 3:
            os.kill(proc.pid, signal.SIGKILL)
            break
    proc.wait(30)
    proc.stdout.close()
    target = paths.models_dir() / "resumed"
    assert proc.returncode == -signal.SIGKILL
    assert not target.exists(), "a killed run must not leave a model folder"
    assert (paths.models_dir() / ".resumed.run" / "checkpoint.pt").is_file()

    out = run(*args, "--resume")
    assert out.returncode == 0, out.stderr
    logs = [json.loads(line) for line in out.stdout.splitlines()]
    resumed = [e["message"] for e in logs if e["event"] == "log" and "resumed" in e["message"]]
    assert resumed and "of 400" in resumed[0]
    first_epoch = next(e["epoch"] for e in logs if e["event"] == "epochmetrics")
    assert first_epoch > 3
    card = json.loads((target / "model.json").read_text())
    assert [h["epoch"] for h in card["history"]] == list(range(1, 401))
    assert not (paths.models_dir() / ".resumed.run").exists()


def test_train_refuses_a_bad_folder_with_a_clear_message(tmp_path: Path) -> None:
    (tmp_path / "cats").mkdir()
    (tmp_path / "cats" / "one.txt").write_text("meow")
    out = run("train", "text", str(tmp_path), "--output", "x")
    assert out.returncode == 1
    assert "at least 2 classes" in out.stderr and "Traceback" not in out.stderr
    missing = run("train", "image", str(tmp_path / "nope"), "--output", "x")
    assert missing.returncode == 1 and "does not exist" in missing.stderr
