"""A rotating log file in the platformdirs log folder, shared by the CLI and the GUI."""

from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path

from fmstudio.core import paths

LOG_NAME = "fmstudio.log"


def log_file() -> Path:
    return paths.log_dir() / LOG_NAME


def setup_logging(level: int = logging.INFO) -> Path:
    """Attach one rotating file handler to the root logger (idempotent); return the file."""
    target = log_file()
    root = logging.getLogger()
    for handler in root.handlers:
        if getattr(handler, "baseFilename", None) == str(target):
            return target
    try:
        paths.ensure(target.parent)
        handler = logging.handlers.RotatingFileHandler(
            target, maxBytes=2_000_000, backupCount=3, encoding="utf-8"
        )
    except OSError:
        return target
    handler.setFormatter(
        logging.Formatter("%(asctime)s %(levelname)s %(threadName)s %(name)s: %(message)s")
    )
    root.addHandler(handler)
    root.setLevel(min(root.level or level, level))
    return target
