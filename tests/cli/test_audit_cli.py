"""`fmstudio audit --ladder`: each step's figures, a line as each is measured."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.runner import fmstudio

pytestmark = pytest.mark.slow  # trains two models in a spawned CLI


def test_the_ladder_prints_probe_head_and_full_on_the_same_held_out_images(
    image_folder: Path,
) -> None:
    run = fmstudio("audit", str(image_folder), "--ladder")
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    assert lines[0].split() == ["step", "accuracy", "macro-F1", "time"]
    assert [line.split()[0] for line in lines[1:]] == ["probe", "head", "full"]
    accuracies = [float(line.split()[1].rstrip("%")) for line in lines[1:]]
    assert all(0 <= a <= 100 for a in accuracies)
