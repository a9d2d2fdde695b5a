"""Where fmstudio keeps its files: platformdirs folders, overridable by FMSTUDIO_HOME.

FMSTUDIO_HOME puts config, data and logs under one folder; tests use it to stay out of
the user's real folders.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import platformdirs

APP = "fmstudio"


def _root(kind: str) -> Path:
    home = os.environ.get("FMSTUDIO_HOME")
    if home:
        return Path(home) / kind
    getters: dict[str, Callable[..., Path]] = {
        "config": platformdirs.user_config_path,
        "data": platformdirs.user_data_path,
        "log": platformdirs.user_log_path,
        "cache": platformdirs.user_cache_path,
    }
    return Path(getters[kind](APP, appauthor=False))


def config_dir() -> Path:
    return _root("config")


def data_dir() -> Path:
    return _root("data")


def log_dir() -> Path:
    return _root("log")


def cache_dir() -> Path:
    """Files fmstudio can make again (models joined from their packages); FMSTUDIO_CACHE
    moves it, to a bigger disk say, and lets the tests share one."""
    moved = os.environ.get("FMSTUDIO_CACHE")
    return Path(moved) if moved else _root("cache")


def models_dir() -> Path:
    """The model library: one sub-folder per saved model."""
    return data_dir() / "models"


def recordings_dir() -> Path:
    return data_dir() / "recordings"


def ensure(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    return path
