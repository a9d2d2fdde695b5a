"""The retrained model beside the one it replaces: the figures side by side, changed verdicts."""

from __future__ import annotations

from typing import ClassVar, Protocol

from PySide6.QtGui import QColor
from PySide6.QtWidgets import QHeaderView, QLabel, QTableWidget, QVBoxLayout, QWidget

from fmstudio.ui.widgets.cells import table_item

BETTER, WORSE = QColor("#2b8a3e"), QColor("#c92a2a")


class Compared(Protocol):
    """What a family's comparison of a retrained model with its previous one shows."""

    change_headers: ClassVar[tuple[str, ...]]

    def figures(self) -> list[tuple[str, str, str, str]]:
        """(figure, previous, new, change)."""
        ...

    def summary(self) -> str: ...

    def change_rows(self) -> list[tuple[tuple[str, ...], str, bool]]:
        """Each changed example's cells, its path, and whether the new model is the better."""
        ...


class ComparisonView(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.figures = QTableWidget(0, 3)
        self.figures.setHorizontalHeaderLabels(["previous", "new", "change"])
        self.figures.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.changed = QTableWidget(0, 0)
        self.changed.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.changed.setToolTip("Validation examples the new model does better (green) or worse")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.figures)
        layout.addWidget(self.summary)
        layout.addWidget(self.changed, 1)
        self.shown: Compared | None = None

    def show_comparison(self, comparison: Compared) -> None:
        self.shown = comparison
        figures = comparison.figures()
        self.figures.setRowCount(len(figures))
        self.figures.setVerticalHeaderLabels([name for name, *_ in figures])
        for row, (_name, *cells) in enumerate(figures):
            for col, text in enumerate(cells):
                self.figures.setItem(row, col, table_item(text, align_right=True))
        self._fit_figures()
        self.summary.setText(comparison.summary())
        rows = comparison.change_rows()
        self.changed.setColumnCount(len(comparison.change_headers))
        self.changed.setHorizontalHeaderLabels(list(comparison.change_headers))
        self.changed.setRowCount(len(rows))
        for row, (texts, path, better) in enumerate(rows):
            for col, value in enumerate(texts):
                item = table_item(value)
                item.setToolTip(path)
                item.setForeground(BETTER if better else WORSE)
                self.changed.setItem(row, col, item)

    def _fit_figures(self) -> None:
        """As tall as its rows: every figure shows, the changes get the rest."""
        rows = sum(self.figures.rowHeight(r) for r in range(self.figures.rowCount()))
        header = self.figures.horizontalHeader().sizeHint().height()
        self.figures.setFixedHeight(rows + header + 2 * self.figures.frameWidth())
