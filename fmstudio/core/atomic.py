"""Write files so that a crash never leaves half of one: temp file beside it, then rename."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def normal_mode(executable: bool = False) -> int:
    """The mode a new file gets from the user's umask (0644 usually, 0755 for a script): a
    temp file is made 0600, and would keep that after its rename."""
    mask = os.umask(0)
    os.umask(mask)
    return (0o777 if executable else 0o666) & ~mask


@contextmanager
def atomic_target(path: Path) -> Iterator[Path]:
    """Yield a temp path to write; on success it replaces `path` (with normal permissions)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=path.suffix, dir=path.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        os.chmod(tmp, normal_mode())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def atomic_write_text(path: Path, text: str) -> None:
    with atomic_target(path) as tmp:
        tmp.write_text(text, encoding="utf-8")
