"""How well a detector finds the held-out objects: mAP before and after, AP per class, and the
images with the most misses and false boxes."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from fmstudio.core.detect.metrics import DetectionScores

if TYPE_CHECKING:
    from fmstudio.core.detect.evaluate import DetectionEvaluation
    from fmstudio.core.detect.train_job import DetectTrainResult


def _table(headers: list[str], tip: str) -> QTableWidget:
    table = QTableWidget(0, len(headers))
    table.setHorizontalHeaderLabels(headers)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.verticalHeader().hide()
    table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
    table.setToolTip(tip)
    return table


def _fill(table: QTableWidget, rows: list[list[str]]) -> None:
    table.setRowCount(len(rows))
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            item = QTableWidgetItem(text)
            if c:
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            table.setItem(r, c, item)
    table.resizeColumnsToContents()


def _ap(value: float | None) -> str:
    return "" if value is None else ("no objects" if value < 0 else f"{value:.3f}")


class DetectionView(QWidget):
    """The headline figures, AP per class (before and after), and the worst images."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.headline = QLabel("No evaluation yet.")
        self.headline.setWordWrap(True)
        self.headline.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.classes = _table(
            ["Class", "AP before", "AP after"], "AP@0.5:0.95 of each class on the held-out images"
        )
        self.worst = _table(
            ["Image", "Missed", "False boxes"],
            "The held-out images with the most objects missed and boxes where there is none "
            "(at score 0.3, IoU 0.5)",
        )
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.classes)
        split.addWidget(self.worst)
        layout = QVBoxLayout(self)
        layout.addWidget(self.headline)
        layout.addWidget(split, 1)

    def show_trained(self, result: DetectTrainResult) -> str | None:
        """A fine-tuned detector against its base on the held-out images, or why it cannot be."""
        if result.after is None:
            return "No images were held out, so the model could not be measured."
        self.show_scores(result.after, result.before)
        return None

    def show_evaluated(self, result: DetectionEvaluation) -> None:
        self.show_scores(result.scores, name=result.model)

    def show_scores(
        self, after: DetectionScores, before: DetectionScores | None = None, name: str = ""
    ) -> None:
        self.headline.setText(_headline(after, before, name))
        self.classes.setColumnHidden(1, before is None)
        rows = [
            [label, _ap(before.per_class.get(label) if before else None), _ap(ap)]
            for label, ap in after.per_class.items()
        ]
        _fill(self.classes, rows)
        _fill(self.worst, [[Path(w.path).name, str(w.missed), str(w.false)] for w in after.worst])


def _headline(after: DetectionScores, before: DetectionScores | None, name: str) -> str:
    who = f"{name}: " if name else ""
    text = (
        f"{who}mAP {after.map:.3f} (mAP@0.5 {after.map_50:.3f}) on {after.images} held-out "
        f"images with {after.objects} objects; at score {after.threshold:g} precision "
        f"{after.precision:.0%}, recall {after.recall:.0%}."
    )
    if before is not None:
        text += f" The base model, on the classes it knows: mAP {before.map:.3f}."
    return text
