"""A detector trained on real photos end to end: saved, measured, reloaded and run."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from fmstudio.core.detect.detect import detect_images
from fmstudio.core.detect.requests import DetectImages
from fmstudio.core.detect.train_job import fine_tune_detector
from fmstudio.core.events import run_to_end
from fmstudio.core.train.spec import TrainSpec
from tests.datasets import make_coin_boxes

pytestmark = pytest.mark.slow  # trains a real detector


def test_a_detector_learns_coins_and_is_saved_as_the_detect_tab_loads_it(tmp_path: Path) -> None:
    data = make_coin_boxes(tmp_path / "coins", train=12, val=4)
    spec = TrainSpec("detect", str(data), "coins", epochs=4, early_stopping=0, batch_size=4)
    result = run_to_end(fine_tune_detector(spec))
    losses = [h.train_loss for h in result.history]
    assert losses[-1] < losses[0]
    assert result.before is None  # the COCO model knows no coin
    assert result.after is not None and result.after.images == 4
    card = json.loads((result.folder / "model.json").read_text())
    assert card["task"] == "detect" and card["classes"] == ["coin"]
    assert card["metrics"]["map_after"] == pytest.approx(result.after.map)
    found = run_to_end(detect_images(DetectImages((str(data / "images" / "val"),), "coins")))
    assert len(found) == 4 and all(b.label == "coin" for r in found for b in r.boxes)
    # the card's "How to load" runs as written, in a fresh interpreter
    readme = (result.folder / "README.md").read_text()
    code = re.search(r"## How to load\n\n```python\n(.*?)```", readme, re.S)
    assert code is not None
    shutil.copy(data / "images" / "val" / "coins_val_0.jpg", tmp_path / "photo.jpg")
    ran = subprocess.run(
        [sys.executable, "-c", code.group(1).replace("path/to/this-folder", str(result.folder))],
        cwd=tmp_path, capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert all(line.startswith("coin ") for line in ran.stdout.splitlines())
