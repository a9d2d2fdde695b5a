"""The recordings folder: where the record job saves, and what the Speech tab lists."""

from __future__ import annotations

import time
from pathlib import Path

from fmstudio.core import paths


def new_recording_path() -> Path:
    folder = paths.ensure(paths.recordings_dir())
    stamp = time.strftime("%Y%m%d-%H%M%S")
    path = folder / f"recording-{stamp}.wav"
    n = 2
    while path.exists():
        path = folder / f"recording-{stamp}-{n}.wav"
        n += 1
    return path


def list_recordings() -> list[Path]:
    folder = paths.recordings_dir()
    return sorted(folder.glob("*.wav"), reverse=True) if folder.is_dir() else []
