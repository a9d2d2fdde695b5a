"""The audit's Map page: the dataset's embedding map, and what to do with a lassoed group.

The map (pyqtgraph) is made when the first audit with a map arrives, so opening a tab never
imports pyqtgraph.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QPushButton, QVBoxLayout, QWidget


class AuditMapPage(QWidget):
    hovered = Signal(int)
    """An example's index, as the pointer passes over its point."""
    file_chosen = Signal(list, str)
    """The lassoed examples, and the class to file them under."""

    def __init__(self, parent: QWidget | None = None) -> None:
        from fmstudio.ui.widgets.embedding_map import EmbeddingMap

        super().__init__(parent)
        self.map = EmbeddingMap(self)
        self.map.hovered.connect(self.hovered)
        self.map.lassoed.connect(self._lassoed)
        self.points: Any = None
        self.target = QComboBox()
        self.target.setEditable(True)
        self.target.setToolTip("A class of the dataset, or a new one's name")
        self.file_button = QPushButton("&File the chosen under")
        self.file_button.setAutoDefault(False)
        self.file_button.setToolTip("Move every lassoed file into this class (Ctrl+Z puts back)")
        self.file_button.clicked.connect(self._file)
        self.file_button.setEnabled(False)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.file_button)
        row.addWidget(self.target)
        layout = QVBoxLayout(self)
        layout.addWidget(self.map, 1)
        layout.addLayout(row)

    def show_examples(self, points: Any, labels: Sequence[str]) -> None:
        self.points = points
        self.map.set_points(points, labels)
        self.target.clear()
        self.target.addItems(sorted(set(labels)))
        self._lassoed([])

    def relabel(self, labels: Sequence[str]) -> None:
        """Colours follow files that moved; the group stays chosen."""
        chosen = self.map.chosen
        self.map.set_points(self.points, labels, keep_view=True)
        self.map.mark(chosen)

    @Slot(list)
    def _lassoed(self, chosen: list[int]) -> None:
        self.file_button.setEnabled(bool(chosen))

    @Slot()
    def _file(self) -> None:
        label = self.target.currentText().strip()
        if self.map.chosen and label:
            self.file_chosen.emit(list(self.map.chosen), label)
