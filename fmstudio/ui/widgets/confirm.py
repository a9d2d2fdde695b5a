"""The one question the app asks before it loses work."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox, QWidget


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
