"""What fmstudio writes for the user reads like any file they made (0644 under umask 022),
not like a temp file (0600): another account, a web server or a backup can read it."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from fmstudio.core.classify.train_job import fine_tune
from fmstudio.core.events import run_to_end
from fmstudio.core.placing import copy_into, write_text_into
from fmstudio.core.train.spec import TrainSpec


def _modes(folder: Path) -> dict[str, int]:
    return {
        str(p.relative_to(folder)): stat.S_IMODE(p.stat().st_mode)
        for p in folder.rglob("*")
        if p.is_file()
    }


def test_saved_models_and_placed_files_are_readable_by_others(
    tiny_image_base: Path, image_folder: Path, tmp_path: Path
) -> None:
    old = os.umask(0o022)
    try:
        spec = TrainSpec(
            "image", str(image_folder), str(tmp_path / "m"), base=str(tiny_image_base), mode="head"
        )
        saved = run_to_end(fine_tune(spec)).folder
        placed = write_text_into("a text", tmp_path / "sorted" / "sports", "pasted.txt")
        (tmp_path / "mine.txt").write_text("mine")
        copied = copy_into(tmp_path / "mine.txt", tmp_path / "sorted" / "cooking")
    finally:
        os.umask(old)
    modes = _modes(saved)
    assert "model.safetensors" in modes
    assert all(mode == 0o644 for mode in modes.values()), modes
    assert stat.S_IMODE(placed.stat().st_mode) == 0o644
    assert stat.S_IMODE(copied.stat().st_mode) == 0o644
