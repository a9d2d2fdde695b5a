from __future__ import annotations

import json
from pathlib import Path

import pytest
from PIL import Image

from tests.cli.runner import fmstudio

pytestmark = pytest.mark.slow  # spawns the CLI


def test_classify_json_shape_and_exit_statuses(tmp_path: Path, photo_like_image: Path) -> None:
    good = tmp_path / "photos"
    good.mkdir()
    Image.open(photo_like_image).save(good / "flower.jpg")
    Image.open(photo_like_image).rotate(90).save(good / "nested.png")

    ok = fmstudio("image", "classify", str(good), "--top-k", "3", "--json")
    assert ok.returncode == 0, ok.stderr
    data = json.loads(ok.stdout)
    assert len(data) == 2
    for entry in data:
        assert set(entry) == {"path", "predictions", "error"}
        assert entry["error"] is None and len(entry["predictions"]) == 3
        assert set(entry["predictions"][0]) == {"label", "score"}
    flower = next(e for e in data if e["path"].endswith("flower.jpg"))
    assert flower["predictions"][0]["label"] == "daisy"

    (tmp_path / "broken.jpg").write_bytes(b"GIF89a nonsense")
    mixed = fmstudio(
        "image", "classify", str(good / "flower.jpg"), str(tmp_path / "broken.jpg"), "--json"
    )
    assert mixed.returncode == 2
    data = json.loads(mixed.stdout)
    assert [e["error"] is None for e in data] == [True, False]
    assert data[1]["predictions"] == [] and data[1]["error"]


def test_classify_table_output(photo_like_image: Path, tmp_path: Path) -> None:
    out = fmstudio(
        "image", "classify", str(photo_like_image), str(tmp_path / "missing.jpg"), "--top-k", "2"
    )
    assert out.returncode == 2
    lines = out.stdout.strip().splitlines()
    assert "daisy" in lines[0] and "%" in lines[0]
    assert "missing.jpg" in lines[1] and "ERROR: file not found" in lines[1]
    assert "1 classified, 1 failed" in out.stderr


def test_unknown_model_offline_is_a_clear_error(photo_like_image: Path, tmp_path: Path) -> None:
    out = fmstudio(
        "image",
        "classify",
        str(photo_like_image),
        "--model",
        "acme/not-cached-vit",
        env={"HF_HUB_OFFLINE": "1", "HF_HUB_CACHE": str(tmp_path)},
    )
    assert out.returncode == 1
    assert "model acme/not-cached-vit is not cached and the network is unreachable" in out.stderr
    assert "Traceback" not in out.stderr
