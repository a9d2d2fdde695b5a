"""`fmstudio speakers`: enrol, list, rename, merge and remove voices; transcriptions then
name the enrolled voice by itself."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.runner import fmstudio
from tests.datasets import VOICES, alternating, enrolment_clips, make_conversation

pytestmark = pytest.mark.slow  # spawns the CLI


def test_profiles_from_enrolment_to_a_named_transcript(tmp_path: Path) -> None:
    first, second = enrolment_clips(tmp_path, VOICES[0])
    empty = tmp_path / "empty.wav"
    empty.write_bytes(b"")
    out = fmstudio("speakers", "enroll", "Ana", str(first), str(empty))
    assert out.returncode == 2, out.stderr  # one clip failed, the profile was still saved
    assert "empty.wav" in out.stderr and "Ana:" in out.stdout
    assert fmstudio("speakers", "enroll", "Bo", str(second)).returncode == 0
    listed = json.loads(fmstudio("speakers", "list", "--json").stdout)
    assert [v["name"] for v in listed] == ["Ana", "Bo"]
    assert fmstudio("speakers", "merge", "Ana", "Bo").returncode == 0
    (ana,) = json.loads(fmstudio("speakers", "list", "--json").stdout)
    assert ana["name"] == "Ana"
    assert ana["seconds"] == pytest.approx(listed[0]["seconds"] + listed[1]["seconds"], abs=0.02)
    talk = tmp_path / "talk.wav"
    make_conversation(talk, alternating()[:4])
    out = fmstudio("speech", "transcribe", str(talk), "--speakers", "auto", "--format", "json")
    assert out.returncode == 0, out.stderr
    (data,) = json.loads(out.stdout)
    assert [s["speaker"] for s in data["segments"]] == ["Ana", "Speaker 1"] * 2
    assert fmstudio("speakers", "rename", "Ana", "Anna").returncode == 0
    assert fmstudio("speakers", "remove", "Anna").returncode == 0
    out = fmstudio("speakers", "remove", "Anna")
    assert out.returncode == 1 and "no voice named 'Anna'" in out.stderr
    assert "no voices yet" in fmstudio("speakers", "list").stdout
