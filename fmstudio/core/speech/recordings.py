"""The recordings folder: where the record job saves, and what the Speech tab lists."""

from __future__ import annotations

from pathlib import Path

from fmstudio.core import paths


def list_recordings() -> list[Path]:
    folder = paths.recordings_dir()
    return sorted(folder.glob("*.wav"), reverse=True) if folder.is_dir() else []
