"""The retrained model beside the one it replaces: the figures side by side, changed verdicts."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtGui import QColor
from PySide6.QtWidgets import QHeaderView, QLabel, QTableWidget, QVBoxLayout, QWidget

from fmstudio.core.data.report import relative_path
from fmstudio.ui.widgets.evaluation_view import table_item

if TYPE_CHECKING:
    from fmstudio.core.classify.compare import Comparison

FIXED, BROKEN = QColor("#2b8a3e"), QColor("#c92a2a")


class ComparisonView(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.figures = QTableWidget(2, 3)
        self.figures.setHorizontalHeaderLabels(["previous", "new", "change"])
        self.figures.setVerticalHeaderLabels(["accuracy", "macro-F1"])
        self.figures.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.figures.setMaximumHeight(90)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.changed = QTableWidget(0, 4)
        self.changed.setHorizontalHeaderLabels(["file", "true class", "previous", "new"])
        self.changed.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.changed.setToolTip("Validation files the new model judges differently")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.figures)
        layout.addWidget(self.summary)
        layout.addWidget(self.changed, 1)
        self.shown: Comparison | None = None

    def show_comparison(self, comparison: Comparison) -> None:
        self.shown = comparison
        before, after = comparison.previous.evaluation, comparison.current.evaluation
        for row, (old, new) in enumerate(
            ((before.accuracy, after.accuracy), (before.macro_f1, after.macro_f1))
        ):
            cells = (f"{old:.1%}", f"{new:.1%}", f"{(new - old) * 100:+.1f} points")
            for col, text in enumerate(cells):
                self.figures.setItem(row, col, table_item(text, align_right=True))
        text = (
            f"On the same {after.n} validation files as {comparison.previous_name}: "
            f"{comparison.fixed} now right, {comparison.broken} now wrong."
        )
        unknown = len(comparison.previous.skipped)
        if unknown:
            text += f" {comparison.previous_name} could not judge {unknown} (classes it lacks)."
        self.summary.setText(text)
        self.changed.setRowCount(len(comparison.changed))
        for row, change in enumerate(comparison.changed):
            name = relative_path(change.path, comparison.root)
            values = (name, change.truth, change.before, change.after)
            for col, value in enumerate(values):
                item = table_item(value)
                item.setToolTip(change.path)
                item.setForeground(FIXED if change.fixed else BROKEN)
                self.changed.setItem(row, col, item)
