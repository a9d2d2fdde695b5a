"""Precision and recall of one class against the score threshold, on the validation files.

A user who sorts by score wants to know what a threshold costs: how many of a class's files
it keeps (recall) and how many of those kept are right (precision). The model's own unsure
threshold, saved with it, is the dashed line.
"""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from fmstudio.core.classify.calibration import Thresholds
from fmstudio.ui.widgets.curves import legend_below, white_plot


class ThresholdView(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.thresholds: Thresholds | None = None
        self.cls = QComboBox()
        self.cls.setToolTip("The class whose precision and recall are drawn")
        self.cls.currentIndexChanged.connect(self._draw)
        self.plot = white_plot("Precision and recall by score threshold")
        self.plot.setLabel("bottom", "threshold on the class's score")
        self.plot.setYRange(0, 1.02)
        self.plot.setXRange(0, 1)
        legend = legend_below(self.plot)
        self.precision = self.plot.plot(antialias=True, pen=pg.mkPen((30, 90, 200), width=2))
        self.recall = self.plot.plot(antialias=True, pen=pg.mkPen((200, 120, 20), width=2))
        legend.addItem(self.precision, "precision")
        legend.addItem(self.recall, "recall")
        dashed = pg.mkPen((90, 90, 90), width=1, style=Qt.PenStyle.DashLine)
        self.marker = pg.InfiniteLine(angle=90, movable=False, pen=dashed)
        self.plot.addItem(self.marker)
        self.caption = QLabel()
        self.caption.setWordWrap(True)
        row = QHBoxLayout()
        row.addWidget(QLabel("Class:"))
        row.addWidget(self.cls, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(row)
        layout.addWidget(self.plot, 1)
        layout.addWidget(self.caption)

    def show_thresholds(self, thresholds: Thresholds | None) -> None:
        """Draw the first class (hidden when the run had no validation logits)."""
        self.thresholds = thresholds
        self.setVisible(thresholds is not None)
        if thresholds is None:
            return
        calibration = thresholds.calibration
        self.marker.setValue(calibration.unsure_below)
        self.caption.setText(
            f"Unsure below {calibration.unsure_below:.0%} (dashed): "
            f"{calibration.kept:.0%} of the validation files score at least that, and those "
            f"are right {calibration.precision:.0%} of the time. Scores are calibrated "
            f"(temperature {calibration.temperature:.2f})."
        )
        self.cls.blockSignals(True)
        self.cls.clear()
        self.cls.addItems(thresholds.classes)
        self.cls.blockSignals(False)
        self._draw()

    @Slot()
    def _draw(self) -> None:
        if self.thresholds is None or self.cls.currentIndex() < 0:
            return
        x, precision, recall = self.thresholds.curve(self.cls.currentIndex())
        self.precision.setData(x, precision)
        self.recall.setData(x, recall)
