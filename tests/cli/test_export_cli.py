from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.runner import fmstudio

pytestmark = pytest.mark.slow  # spawns the CLI


def test_export_json_and_refusals(tmp_path: Path, tiny_image_base: Path) -> None:
    out = tmp_path / "tiny-onnx"
    done = fmstudio(
        "export", str(tiny_image_base), "--task", "image", "--output", str(out), "--json"
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["folder"] == str(out) and result["format"] == "onnx" and result["top1_same"]
    assert (out / "model.onnx").is_file() and (out / "README.md").is_file()

    speech = fmstudio("export", "whisper-tiny.en")
    assert speech.returncode == 1 and "CTranslate2" in speech.stderr
    assert "Traceback" not in speech.stderr
    unknown = fmstudio("export", str(tiny_image_base))  # a folder without model.json
    assert unknown.returncode == 1 and "--task" in unknown.stderr
