"""What the widget tests share: a drop as Qt delivers it, and the wizard walked to Train."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent

from fmstudio.core.config import Settings
from fmstudio.ui.wizard.wizard import MODEL, SETTINGS, TRAIN, FineTuneWizard


def drop(widget, paths: list[Path]) -> None:
    """What Qt delivers when files are dragged in from a file manager and released.

    Offscreen no real drag runs, so the handlers are called as Qt would call them.
    """
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    args = (
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    enter = QDragEnterEvent(QPoint(10, 10), *args)
    widget.dragEnterEvent(enter)
    assert enter.isAccepted()
    widget.dropEvent(QDropEvent(QPointF(10, 10), *args))


def open_wizard(qtbot, task: str = "image", evaluate: str | None = None) -> FineTuneWizard:
    wizard = FineTuneWizard(Settings(), task, evaluate)
    qtbot.addWidget(wizard)
    wizard.show()
    return wizard


def to_model_page(qtbot, wizard: FineTuneWizard, task: str, data: Path) -> None:
    """Choose the task and its data on the Data page, and go on once they are checked."""
    wizard.data_page.task.setCurrentIndex(wizard.data_page.task.findData(task))
    wizard.data_page.set_folder(str(data))
    qtbot.waitUntil(wizard.data_page.isComplete, timeout=30_000)
    wizard.next()


def to_training(qtbot, wizard: FineTuneWizard, data: Path, base: Path, epochs: int, patience: int):
    wizard.data_page.set_folder(str(data))
    qtbot.waitUntil(wizard.data_page.isComplete, timeout=30_000)
    wizard.next()
    assert wizard.currentId() == MODEL
    wizard.model_page.picker.setEditText(str(base))
    wizard.model_page.mode.setCurrentIndex(wizard.model_page.mode.findData("head"))
    wizard.next()
    assert wizard.currentId() == SETTINGS
    wizard.settings_page.epochs.setValue(epochs)
    wizard.settings_page.patience.setValue(patience)
    wizard.next()
    assert wizard.currentId() == TRAIN
