"""The checks every input file gets before it is decoded, with the reason in plain words."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
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


def expand_paths(paths: Iterable[str | Path], accept: frozenset[str]) -> Iterator[Path]:
    """Files as given, and folders walked recursively for files with an accepted suffix.

    A path that does not exist is yielded as is, so the job reports it as an error entry.
    """
    for raw in paths:
        path = Path(raw).expanduser()
        if path.is_dir():
            yield from sorted(
                p
                for p in path.rglob("*")
                if p.is_file() and p.suffix.lower() in accept and not p.name.startswith(".")
            )
        else:
            yield path
