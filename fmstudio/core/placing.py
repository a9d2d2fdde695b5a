"""Put a file or a text into a folder under a name that is free, never over an existing file.

The content is first written to a hidden temp file beside the target, then linked to the
free name: a link fails when the name is taken, so a name is never overwritten even if
another program creates it meanwhile, and the target is never half-written.
"""

from __future__ import annotations

import errno
import os
import re
import shutil
import tempfile
from pathlib import Path

from fmstudio.core.atomic import normal_mode

_UNSAFE = re.compile(r'[\x00-\x1f<>:"/\\|?*]+')
_RESERVED = frozenset({"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10))})
MAX_NAME = 120


def folder_problem(folder: str) -> str | None:
    """Why a path typed as a folder to copy into cannot be one (a folder that does not exist
    yet is fine: it is made), or None."""
    if not folder.strip():
        return "choose a folder"
    path = Path(folder.strip()).expanduser()
    return f"{path} is a file, not a folder" if path.exists() and not path.is_dir() else None


def folder_name(label: str) -> str:
    """A class label as a folder name that works on Windows, macOS and Linux.

    Characters that no file system takes become `_`; names that Windows reserves get a `_`.
    """
    name = _UNSAFE.sub("_", label).strip().strip(".")[:MAX_NAME]
    if not name:
        return "_"
    return f"{name}_" if name.lower() in _RESERVED else name


def _candidates(name: str) -> list[str]:
    stem, suffix = os.path.splitext(name)
    return [name] + [f"{stem}-{n}{suffix}" for n in range(2, 10_000)]


def _link_free(tmp: Path, folder: Path, name: str) -> Path:
    """Give `tmp` the first free variant of `name` in `folder` without replacing anything."""
    for candidate in _candidates(name):
        target = folder / candidate
        try:
            os.link(tmp, target)
        except FileExistsError:
            continue
        except OSError as exc:
            if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP):
                raise
            if target.exists():
                continue
            os.replace(tmp, target)  # a file system without links (FAT): checked just before
            return target
        return target
    raise FileExistsError(f"no free name for {name} in {folder}")


def _temp_in(folder: Path, name: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".part", dir=folder)
    os.close(fd)
    os.chmod(tmp, normal_mode())  # what is placed reads like any file the user made
    return Path(tmp)


def copy_into(source: Path, folder: Path, name: str | None = None) -> Path:
    """Copy `source` into `folder` (as `name`, else its own name, or a free variant of it)."""
    name = name or source.name
    tmp = _temp_in(folder, name)
    try:
        shutil.copy2(source, tmp)
        return _link_free(tmp, folder, name)
    finally:
        tmp.unlink(missing_ok=True)


def move_into(source: Path, folder: Path, name: str | None = None) -> Path:
    """Move `source` into `folder` (as `name`, else its own name, or a free variant of it);
    the source goes only once it is there."""
    folder.mkdir(parents=True, exist_ok=True)
    try:
        target = _link_free(source, folder, name or source.name)
    except OSError as exc:
        if exc.errno != errno.EXDEV:
            raise
        target = copy_into(source, folder, name)  # another disk: copy, then remove
    source.unlink(missing_ok=True)  # gone already where the file system could not link
    return target


def write_text_into(text: str, folder: Path, name: str) -> Path:
    """Write `text` (UTF-8) as a new file in `folder` under a free variant of `name`."""
    return write_bytes_into(text.encode("utf-8"), folder, name)


def write_bytes_into(data: bytes, folder: Path, name: str) -> Path:
    """Write `data` as a new file in `folder` under a free variant of `name`."""
    tmp = _temp_in(folder, name)
    try:
        tmp.write_bytes(data)
        return _link_free(tmp, folder, name)
    finally:
        tmp.unlink(missing_ok=True)
