"""Keyboard shortcuts as actions on the widget they belong to."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QWidget

Keys = QKeySequence | QKeySequence.StandardKey | str


def add_shortcut(widget: QWidget, title: str, keys: Keys, slot: Callable[[], None]) -> QAction:
    """A shortcut that works while `widget` is shown (and only then).

    An action keeps its keys whatever a button says, unlike a button's own shortcut, which
    setting the button's text clears.
    """
    action = QAction(title, widget)
    action.setShortcut(QKeySequence(keys))
    action.triggered.connect(slot)
    widget.addAction(action)
    return action
