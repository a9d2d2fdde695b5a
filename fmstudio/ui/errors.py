"""One mapping from error types to what the user reads; unexpected errors get a dialog."""

from __future__ import annotations

import errno
import logging
import traceback

from PySide6.QtWidgets import QMessageBox, QWidget

from fmstudio.core.errors import (
    DeviceError,
    FmError,
    InputFileError,
    ModelUnavailableError,
)
from fmstudio.core.logs import log_file

log = logging.getLogger(__name__)


def user_message(exc: BaseException) -> str:
    """A one-line message for an expected error; a generic one for anything else."""
    if isinstance(exc, InputFileError):
        return f"Cannot use {exc.path}: {exc.reason}"
    if isinstance(exc, ModelUnavailableError):
        return f"Model unavailable: {exc}"
    if isinstance(exc, DeviceError):
        return f"Device problem: {exc}"
    if isinstance(exc, FmError):
        return str(exc)
    if isinstance(exc, MemoryError):
        return "Out of memory: try a smaller batch size or fewer files."
    if is_storage_error(exc):
        assert isinstance(exc, OSError)
        where = f" {exc.filename}" if exc.filename else ""
        return f"Could not write{where}: {exc.strerror or exc}. Nothing else was changed."
    return f"Unexpected error: {type(exc).__name__}: {exc}"


STORAGE_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EIO})
"""A full or read-only disk, no permission, a failing drive: the user's to fix, not a bug."""


def is_storage_error(exc: BaseException) -> bool:
    return isinstance(exc, OSError) and exc.errno in STORAGE_ERRNOS


def is_expected(exc: BaseException) -> bool:
    return isinstance(exc, (FmError, MemoryError)) or is_storage_error(exc)


def show_error_dialog(parent: QWidget | None, exc: BaseException) -> QMessageBox:
    """A non-modal dialog with the message, the traceback as details and the log's path."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Critical)
    box.setWindowTitle("fmstudio: something went wrong")
    box.setText(user_message(exc))
    box.setInformativeText(f"fmstudio keeps running. The log is at:\n{log_file()}")
    box.setDetailedText("".join(traceback.format_exception(type(exc), exc, exc.__traceback__)))
    box.setModal(False)
    box.show()
    return box
