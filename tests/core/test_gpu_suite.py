"""The GPU benchmark suite runs every part end to end, on small inputs on this CPU.

A GPU session has minutes of device time: the suite it runs there must not fail on a path
that a CPU could have found. The figures here mean nothing; what is checked is that every
part measures both sides, says what it ran, and ends with the ratios."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

SUITE = Path(__file__).resolve().parents[2] / "benchmarks" / "gpu_suite.py"


@pytest.mark.slow
def test_every_part_runs_and_the_ratios_come_last() -> None:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    done = subprocess.run(
        [sys.executable, str(SUITE), "run", "--device", "cpu", "--quick"],
        capture_output=True,
        text=True,
        timeout=600,
        env=env,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    lines = [line for line in done.stdout.splitlines() if line.strip()]
    for part in ("image", "train", "text", "speech"):
        (said,) = [line for line in lines if line.startswith(f"{part}: fmstudio ")]
        ours, plain = map(float, re.findall(r"(?:fmstudio|plain) ([\d.]+) ", said))
        assert ours > 0 and plain > 0, said
    assert "top-1 identical on 16/16" in done.stdout
    assert re.search(r"WER fmstudio 0\.\d+, sequential 0\.\d+", done.stdout)
    assert [line.split()[1] for line in lines[-4:]] == ["image", "train", "text", "speech"]
    assert all(re.fullmatch(r"ratio \w+ \(.*\): [\d.]+", line) for line in lines[-4:])


def test_an_unknown_part_is_refused_with_the_choices() -> None:
    done = subprocess.run(
        [sys.executable, str(SUITE), "run", "--parts", "image,vision"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert "unknown parts: vision" in done.stderr and "speech" in done.stderr
