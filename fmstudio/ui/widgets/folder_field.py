"""A folder to write into: its path, typed or chosen with Browse…, for the curate dialogs."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QWidget,
)

from fmstudio.core.placing import folder_problem


class FolderField(QWidget):
    textChanged = Signal(str)

    def __init__(
        self, folder: str, title: str, placeholder: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.title = title
        self.edit = QLineEdit(folder)
        self.edit.setPlaceholderText(placeholder)
        self.edit.textChanged.connect(self.textChanged)
        browse = QPushButton("Browse…")
        browse.setToolTip("Choose an existing folder, or make a new one in the dialog")
        browse.clicked.connect(self._browse)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.edit, 1)
        row.addWidget(browse)

    def text(self) -> str:
        return self.edit.text().strip()

    def setText(self, text: str) -> None:
        self.edit.setText(text)

    def problem(self) -> str | None:
        return folder_problem(self.text())

    @Slot()
    def _browse(self) -> None:
        start = self.text() or str(Path.home())
        chosen = QFileDialog.getExistingDirectory(self, self.title, start)
        if chosen:
            self.edit.setText(chosen)


def ok_cancel(dialog: QDialog) -> QDialogButtonBox:
    """OK and Cancel, wired to the dialog."""
    buttons = QDialogButtonBox(
        QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
    )
    buttons.accepted.connect(dialog.accept)
    buttons.rejected.connect(dialog.reject)
    return buttons
