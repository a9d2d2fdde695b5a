"""The checks every input file gets before it is decoded, with the reason in plain words."""

from __future__ import annotations

from pathlib import Path

from fmstudio.core.errors import InputFileError


def check_input_file(path: Path, kind: str) -> int:
    """Raise `InputFileError` for a missing, folder, unreadable or empty path; return its size."""
    if not path.exists():
        raise InputFileError(path, "file not found")
    if path.is_dir():
        raise InputFileError(path, f"is a folder, not {kind}")
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise InputFileError(path, f"cannot read: {exc.strerror or exc}") from exc
    if size == 0:
        raise InputFileError(path, "empty file (0 bytes)")
    return size
