"""The questions the app asks: before it loses work, and for a new name."""

from __future__ import annotations

from PySide6.QtWidgets import QInputDialog, QMessageBox, QWidget


def confirm_losing(parent: QWidget, what: str, verb: str) -> bool:
    """Ask before an action that loses work; the safe answer (keep working) is the default."""
    answer = QMessageBox.question(
        parent,
        f"{verb} anyway?",
        f"{what}\n\n{verb} anyway?",
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
        QMessageBox.StandardButton.No,
    )
    return answer == QMessageBox.StandardButton.Yes


def ask_name(parent: QWidget, title: str, label: str, current: str) -> str | None:
    """A new name, or None when the user cancels or keeps the old one. The box is wide
    enough for its title and the name (a bare QInputDialog cut both)."""
    dialog = QInputDialog(parent)
    dialog.setWindowTitle(title)
    dialog.setLabelText(label)
    dialog.setTextValue(current)
    dialog.setMinimumWidth(max(420, dialog.fontMetrics().horizontalAdvance(title) + 160))
    if not dialog.exec():
        return None
    name = dialog.textValue().strip()
    return name if name and name != current else None
