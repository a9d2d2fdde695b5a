"""`fmstudio sound classify`: a JSON object per recording, the timeline, bad files, exit 2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.runner import fmstudio
from tests.datasets import espeak, make_sound_folder

pytestmark = pytest.mark.slow  # spawns the CLI


def test_sound_classify_prints_top_sounds_and_a_timeline_per_file(tmp_path: Path) -> None:
    speech = espeak(tmp_path / "hello.wav", "Hello, this is a recording of someone speaking.")
    broken = tmp_path / "broken.ogg"
    broken.write_bytes(b"OggS not really")
    run = fmstudio("sound", "classify", str(speech), str(broken), "--json", "--top-k", "2")
    assert run.returncode == 2, run.stderr
    heard, failed = (json.loads(line) for line in run.stdout.splitlines())
    assert heard["predictions"][0]["label"] == "Speech" and len(heard["predictions"]) == 2
    assert heard["timeline"][0]["label"] == "Speech" and heard["timeline"][0]["start"] == 0
    assert heard["timeline"][-1]["end"] == heard["duration"]
    assert "not a readable audio file" in failed["error"]
    plain = fmstudio("sound", "classify", str(speech), "--timeline")
    assert plain.returncode == 0
    first, second = plain.stdout.splitlines()[:2]
    assert first.startswith(f"{speech}  (") and "Speech" in first
    assert second.split() == ["0.00-", heard_end(heard), "s", "Speech", pct(heard)]


def test_train_and_eval_sound_from_the_command_line(tmp_path: Path) -> None:
    """A model trained from class folders is measured on them; YAMNet knows none of the
    folder's classes and is refused in words."""
    data = make_sound_folder(tmp_path / "kinds", per_class=4)
    out = tmp_path / "kinds-model"
    train = fmstudio("train", "sound", str(data), "--output", str(out), "--mode", "head")
    assert train.returncode == 0, train.stderr
    assert "3 classes" in train.stderr or "3 classes" in train.stdout
    measured = fmstudio("eval", "sound", str(data), "--model", str(out), "--json")
    assert measured.returncode == 0, measured.stderr
    assert json.loads(measured.stdout)["accuracy"] >= 0.9
    yamnet = fmstudio("eval", "sound", str(data), "--model", "yamnet")
    assert yamnet.returncode == 1 and "Traceback" not in yamnet.stderr
    assert "none of the folder's classes" in yamnet.stderr


def heard_end(heard: dict) -> str:
    return f"{heard['timeline'][0]['end']:.2f}"


def pct(heard: dict) -> str:
    return f"{heard['timeline'][0]['score']:.0%}"
