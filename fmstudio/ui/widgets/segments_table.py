"""An editable table of transcript segments (start, end, text)."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from fmstudio.core.speech.transcripts import Segment
from fmstudio.core.speech.writers import timestamp


class SegmentsTable(QTableWidget):
    """Times are read-only; the text can be corrected before export."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(0, 3, parent)
        self.setHorizontalHeaderLabels(["Start", "End", "Text"])
        self.verticalHeader().setVisible(False)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
        )
        header = self.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.setToolTip("Double-click a text to correct it; click a row to hear it")
        self._times: list[tuple[float, float]] = []

    def set_segments(self, segments: Sequence[Segment]) -> None:
        self.setRowCount(0)
        self._times = []
        for s in segments:
            self.append(s)

    def append(self, s: Segment) -> None:
        row = self.rowCount()
        self.insertRow(row)
        self._times.append((s.start, s.end))
        for col, value in enumerate((timestamp(s.start, "."), timestamp(s.end, "."))):
            item = QTableWidgetItem(value)
            item.setFlags(item.flags() & ~item.flags().ItemIsEditable)
            self.setItem(row, col, item)
        self.setItem(row, 2, QTableWidgetItem(s.text))

    def segments(self) -> list[Segment]:
        """The segments with the user's corrections."""
        return [
            Segment(start, end, item.text() if (item := self.item(row, 2)) else "")
            for row, (start, end) in enumerate(self._times)
        ]
