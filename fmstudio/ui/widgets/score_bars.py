"""The ranking of one result as labelled horizontal bars."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtWidgets import QFormLayout, QLabel, QProgressBar, QWidget

from fmstudio.core.classify.results import Prediction


class ScoreBars(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.form = QFormLayout(self)
        self.form.setContentsMargins(4, 4, 4, 4)
        self.message = QLabel("Select a row to see its ranking.")
        self.message.setWordWrap(True)
        self.form.addRow(self.message)

    def clear(self, message: str = "Select a row to see its ranking.") -> None:
        while self.form.rowCount() > 1:
            self.form.removeRow(1)
        self.message.setText(message)

    def show_predictions(self, title: str, predictions: Sequence[Prediction]) -> None:
        self.clear(title)
        for p in predictions:
            bar = QProgressBar()
            bar.setRange(0, 1000)
            bar.setValue(round(p.score * 1000))
            bar.setFormat(f"{p.score:.1%}")
            bar.setToolTip(f"{p.label}: {p.score:.4f}")
            label = QLabel(p.label)
            label.setToolTip(p.label)
            self.form.addRow(label, bar)

    def labels(self) -> list[str]:
        """The labels shown, top first (for tests and accessibility)."""
        out = []
        for row in range(1, self.form.rowCount()):
            item = self.form.itemAt(row, QFormLayout.ItemRole.LabelRole)
            widget = item.widget() if item is not None else None
            if isinstance(widget, QLabel):
                out.append(widget.text())
        return out
