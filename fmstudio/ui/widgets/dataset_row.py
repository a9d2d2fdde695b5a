"""The row that turns results into data: Add to dataset, the tab's own curation buttons,
Undo, the dataset in use, and Train on it. Every tab that grows a dataset has one, so the
buttons, their keys and the dataset line read the same on each."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QWidget

from fmstudio.ui.widgets.shortcuts import add_shortcut


class DatasetRow(QWidget):
    def __init__(
        self,
        owner: QWidget,
        add: Callable[[], None],
        undo: Callable[[], None],
        train: Callable[[], None],
        *,
        add_tip: str,
        train_tip: str,
        undo_tip: str = "Take back the last add",
        more: Sequence[QPushButton] = (),
    ) -> None:
        """The shortcuts belong to `owner` (the tab), so they fire while it is shown;
        `more` are the tab's own buttons, between Add and Undo."""
        super().__init__(owner)
        self.add_button = QPushButton("Add to dataset…")
        self.add_button.setToolTip(f"{add_tip} (Ctrl+D)")
        self.add_button.clicked.connect(add)
        self.undo_button = QPushButton("Undo")
        self.undo_button.setToolTip(f"{undo_tip} (Ctrl+Z)")
        self.undo_button.clicked.connect(undo)
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.train_button = QPushButton("Train on this dataset")
        self.train_button.setToolTip(f"{train_tip} (Ctrl+Shift+T)")
        self.train_button.clicked.connect(train)
        add_shortcut(owner, "Add to dataset", "Ctrl+D", add)
        add_shortcut(owner, "Undo add", QKeySequence.StandardKey.Undo, undo)
        add_shortcut(owner, "Train on this dataset", "Ctrl+Shift+T", train)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        for button in (self.add_button, *more, self.undo_button):
            row.addWidget(button)
        row.addWidget(self.label, 1)
        row.addWidget(self.train_button)

    def show_dataset(self, folder: str, contents: str) -> None:
        """The dataset in use and what it holds; none yet leaves Train off and says how to
        start one."""
        self.train_button.setEnabled(bool(folder))
        if not folder:
            self.label.setText("No dataset yet: Add to dataset… starts one.")
            self.label.setToolTip("")
            return
        self.label.setText(f"Dataset {folder}: {contents}")
        self.label.setToolTip(folder)
