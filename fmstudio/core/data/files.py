"""The checks every input file gets before it is decoded, with the reason in plain words."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

from fmstudio.core.errors import InputFileError


def check_input_file(path: Path, kind: str) -> int:
    """Raise `InputFileError` for a missing, folder, unreadable or empty path; return its size."""
    if not path.exists():
        raise InputFileError(path, "file not found")
    if path.is_symlink() and _loops(path):
        raise InputFileError(path, "a link that loops back to a folder containing it: skipped")
    if path.is_dir():
        raise InputFileError(path, f"a folder with no usable files in it (looked for {kind})")
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise InputFileError(path, f"cannot read: {exc.strerror or exc}") from exc
    if size == 0:
        raise InputFileError(path, "empty file (0 bytes)")
    return size


def expand_paths(paths: Iterable[str | Path], accept: frozenset[str]) -> Iterator[Path]:
    """Files as given, and folders walked recursively for files with an accepted suffix.

    Whatever cannot be used is yielded too, so the job reports it as an error entry rather
    than leaving it out: a path that does not exist, a folder with no usable file in it, and
    a link inside a folder that loops back to a folder containing it.
    """
    for raw in paths:
        path = Path(raw).expanduser()
        if not path.is_dir():
            yield path
            continue
        found = sorted(_walk(path, accept))
        yield from found if found else [path]


def _walk(folder: Path, accept: frozenset[str]) -> Iterator[Path]:
    for p in folder.rglob("*"):
        if p.name.startswith("."):
            continue
        if (p.is_symlink() and _loops(p)) or (p.is_file() and p.suffix.lower() in accept):
            yield p


def _loops(link: Path) -> bool:
    """Whether a link leads to a folder that contains it (walking it would never end)."""
    try:
        target = link.resolve(strict=True)
    except (OSError, RuntimeError):  # a cycle of links, or a dangling one
        return True
    return target.is_dir() and link.parent.resolve().is_relative_to(target)
