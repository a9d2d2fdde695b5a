"""The window's menus as a table: each entry is a title, a shortcut, a tooltip and what it
does, so the menus read in one place and `test_shortcuts` can check their keys."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMainWindow


@dataclass(frozen=True)
class Entry:
    title: str
    does: Callable[[], object]
    shortcut: str | QKeySequence.StandardKey | None = None
    tooltip: str = ""


SEPARATOR = None
"""Between two entries of a menu: a separator line."""


def build_menus(
    window: QMainWindow, menus: Sequence[tuple[str, Sequence[Entry | None]]]
) -> dict[str, QAction]:
    """Add each menu and its entries to the window's menu bar; the actions by title."""
    actions: dict[str, QAction] = {}
    for menu_title, entries in menus:
        menu = window.menuBar().addMenu(menu_title)
        for entry in entries:
            if entry is None:
                menu.addSeparator()
                continue
            action = QAction(entry.title, window)
            if entry.shortcut is not None:
                action.setShortcut(entry.shortcut)
            action.setToolTip(entry.tooltip)
            action.triggered.connect(lambda _=False, does=entry.does: does())
            menu.addAction(action)
            actions[entry.title] = action
    return actions
