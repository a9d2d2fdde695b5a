"""Pasting images (Ctrl+V) into a tab: file URLs as they are, pixels saved first as a PNG."""

from __future__ import annotations

import time

from PySide6.QtGui import QGuiApplication

from fmstudio.core import paths
from fmstudio.core.atomic import atomic_target


def paste_images() -> tuple[list[str], bool] | str:
    """The clipboard's local image files, or its pixels saved under the data folder's
    pasted/ (a file the tab can read, and the user can find again), and whether they were
    pixels (the user then looks for that one result); else why nothing was pasted."""
    clipboard = QGuiApplication.clipboard()
    mime = clipboard.mimeData()
    if mime is not None and mime.hasUrls():
        local = [u.toLocalFile() for u in mime.urls() if u.isLocalFile()]
        if local:
            return local, False
    image = clipboard.image()
    if image.isNull():
        return "The clipboard holds no image."
    folder = paths.ensure(paths.data_dir() / "pasted")
    target = folder / time.strftime("pasted-%Y%m%d-%H%M%S.png")
    with atomic_target(target) as tmp:
        if not image.save(str(tmp)):  # PNG, from the suffix
            return "Could not save the pasted image."
    return [str(target)], True
