from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from PIL import Image

from tests.cli.runner import fmstudio
from tests.datasets import make_photo_boxes, skimage_photo

pytestmark = pytest.mark.slow  # spawns the CLI


def test_detect_prints_a_json_object_per_image_and_draws_the_boxes(tmp_path: Path) -> None:
    photos = tmp_path / "photos"
    photos.mkdir()
    for name in ("chelsea.png", "rocket.jpg"):
        shutil.copy(skimage_photo(name), photos / name)
    (photos / "broken.jpg").write_bytes(b"\xff\xd8 nonsense")
    drawn = tmp_path / "drawn"
    run = fmstudio("detect", str(photos), "--json", "--draw-into", str(drawn))
    assert run.returncode == 2, run.stderr  # one file failed; the others were reported
    lines = [json.loads(line) for line in run.stdout.splitlines()]
    by_name = {Path(e["path"]).name: e for e in lines}
    assert set(by_name) == {"chelsea.png", "rocket.jpg", "broken.jpg"}
    cat = by_name["chelsea.png"]
    assert (cat["width"], cat["height"]) == (451, 300)
    assert [b["label"] for b in cat["boxes"]] == ["cat"]
    assert set(cat["boxes"][0]) == {"label", "score", "box"} and len(cat["boxes"][0]["box"]) == 4
    assert by_name["rocket.jpg"]["boxes"] == [] and "boxes" not in by_name["broken.jpg"]
    assert by_name["broken.jpg"]["error"]
    assert sorted(p.name for p in drawn.iterdir()) == ["chelsea.png", "rocket.jpg"]
    original = Image.open(photos / "chelsea.png").convert("RGB")
    assert Image.open(drawn / "chelsea.png").size == original.size
    assert Image.open(drawn / "chelsea.png").convert("RGB").tobytes() != original.tobytes()

    again = fmstudio("detect", str(photos / "chelsea.png"), "--draw-into", str(drawn))
    assert again.returncode == 0 and "cat" in again.stdout
    assert (drawn / "chelsea-2.png").is_file()  # never over the first drawing

    low = fmstudio("detect", str(photos / "chelsea.png"), "--json", "--min-score", "0.05")
    assert len(json.loads(low.stdout)["boxes"]) > 1


def test_eval_detect_reports_map_per_class_and_json(tmp_path: Path) -> None:
    data = make_photo_boxes(tmp_path / "data")
    run = fmstudio("eval", "detect", str(data), "--model", "centernet-coco", "--json")
    assert run.returncode == 0, run.stderr
    report = json.loads(run.stdout)
    assert report["map_50"] == 1.0 and 0.4 < report["map"] < 0.95
    assert set(report["per_class_ap"]) == {"cat", "motorcycle", "person", "cup"}
    text = fmstudio("eval", "detect", str(data), "--model", "centernet-coco")
    assert "mAP@0.5:0.95" in text.stdout and "motorcycle  AP" in text.stdout
