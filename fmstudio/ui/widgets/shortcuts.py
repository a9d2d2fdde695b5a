"""Keyboard shortcuts as actions on the widget they belong to."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QAction, QKeyEvent, QKeySequence
from PySide6.QtWidgets import QComboBox, QLineEdit, QPlainTextEdit, QWidget

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


EDITING_KEYS = (
    QKeySequence.StandardKey.Copy,
    QKeySequence.StandardKey.Cut,
    QKeySequence.StandardKey.Paste,
    QKeySequence.StandardKey.Undo,
    QKeySequence.StandardKey.Redo,
    QKeySequence.StandardKey.SelectAll,
)


class WindowKeysFirst(QObject):
    """Lets the window's Ctrl+letter shortcuts through a focused text box.

    A line edit claims Ctrl+E (end of line, on X11) and similar keys before any shortcut
    sees them, so Models > Evaluate did nothing while the focus was in a Model box, where it
    stays after picking a model. Installed on the application, this leaves such a key
    unclaimed: a shortcut with those keys fires, and when there is none the box still gets
    the key. Copy, cut, paste, undo, redo and select-all stay the box's.
    """

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() != QEvent.Type.ShortcutOverride:
            return False
        typing = isinstance(watched, (QLineEdit, QPlainTextEdit)) or (
            isinstance(watched, QComboBox) and watched.isEditable()  # it asks its line edit
        )
        if not typing or not isinstance(event, QKeyEvent):
            return False
        ctrl_only = event.modifiers() == Qt.KeyboardModifier.ControlModifier
        letter = Qt.Key.Key_A.value <= event.key() <= Qt.Key.Key_Z.value
        editing = any(event.matches(keys) for keys in EDITING_KEYS)
        return ctrl_only and letter and not editing  # filtered, never accepted
