"""Every example of a dataset as a point, coloured by its class: look-alikes sit together.

One pyqtgraph scatter for all points (10,000 stay fluid: brushes are set once, as an array).
Hovering a point names it (`hovered`, with its index); with Lasso on (L), a drag draws a
loop and the points inside it are chosen (`lassoed`); the wheel zooms and, with Lasso off, a
drag pans.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, Qt, Signal, Slot
from PySide6.QtGui import QPolygonF
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from fmstudio.ui.widgets.shortcuts import add_shortcut

POINT_SIZE = 7
CHOSEN = (20, 20, 20)
HINT = "Hover a point to see its file; Lasso (L), then drag a loop, chooses a group."


class _LassoBox(pg.ViewBox):
    """A view box whose left drag draws a loop while `lassoing`, and pans otherwise."""

    def __init__(self, finished: Any) -> None:
        super().__init__()
        self.lassoing = False
        self._finished = finished
        self._path: list[QPointF] = []
        self.trail = pg.PlotCurveItem(pen=pg.mkPen(CHOSEN, width=1, style=Qt.PenStyle.DashLine))
        self.addItem(self.trail, ignoreBounds=True)

    def mouseDragEvent(self, ev: Any, axis: Any = None) -> None:
        if not self.lassoing or ev.button() != Qt.MouseButton.LeftButton:
            super().mouseDragEvent(ev, axis)
            return
        ev.accept()
        if ev.isStart():
            self._path = [self.mapSceneToView(ev.buttonDownScenePos())]
        self._path.append(self.mapSceneToView(ev.scenePos()))
        xs = [p.x() for p in self._path]
        ys = [p.y() for p in self._path]
        self.trail.setData(xs + xs[:1], ys + ys[:1])
        if ev.isFinish():
            self._finished(self._path)
            self.trail.setData([], [])


class EmbeddingMap(QWidget):
    hovered = Signal(int)
    lassoed = Signal(list)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.points = np.zeros((0, 2))
        self.chosen: list[int] = []
        self.colours: dict[str, Any] = {}
        self.box = _LassoBox(self.choose_inside)
        self.plot = pg.PlotWidget(background="w", viewBox=self.box)
        self.plot.hideAxis("left")
        self.plot.hideAxis("bottom")
        self.scatter = pg.ScatterPlotItem(size=POINT_SIZE, hoverable=True, tip=None)
        self.scatter.sigHovered.connect(self._hovered)
        self.plot.addItem(self.scatter)
        self.legend = self.plot.addLegend(offset=(5, 5), labelTextColor="k")
        self.lasso_button = QPushButton("Lasso")
        self.lasso_button.setCheckable(True)
        self.lasso_button.setToolTip("Drag a loop around points to choose them (L)")
        self.lasso_button.toggled.connect(self._lasso_toggled)
        add_shortcut(self, "Lasso", "L", self.lasso_button.toggle)
        self.caption = QLabel(HINT)
        row = QHBoxLayout()
        row.addWidget(self.lasso_button)
        row.addWidget(self.caption, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(row)
        layout.addWidget(self.plot, 1)

    def set_points(
        self, points: np.ndarray, labels: Sequence[str], keep_view: bool = False
    ) -> None:
        """One point per example, coloured by its class (a legend names the colours)."""
        self.points = np.asarray(points, dtype=float)
        classes = sorted(set(labels))
        if not keep_view:
            self.colours = {}
        hues = max(len(classes), 8)
        for c in classes:  # a class keeps its colour while files move between classes
            self.colours.setdefault(c, pg.intColor(len(self.colours), hues=hues, alpha=200))
        colours = self.colours
        self.legend.clear()
        for c in classes:
            sample = pg.ScatterPlotItem(size=POINT_SIZE, brush=colours[c], pen=None)
            self.legend.addItem(sample, c)
        brush = {c: pg.mkBrush(colours[c]) for c in classes}
        brushes = [brush[label] for label in labels]
        self.scatter.setData(
            pos=self.points, data=np.arange(len(self.points)), brush=brushes, pen=None
        )
        self.chosen = []
        if not keep_view:
            self.plot.autoRange()

    def choose_inside(self, loop: Sequence[QPointF]) -> list[int]:
        """The points inside `loop` (in the map's coordinates) become the chosen ones."""
        polygon = QPolygonF(list(loop))
        inside = [
            i
            for i, (x, y) in enumerate(self.points)
            if polygon.containsPoint(QPointF(x, y), Qt.FillRule.OddEvenFill)
        ]
        self.mark(inside)
        self.lassoed.emit(inside)
        return inside

    def mark(self, chosen: list[int]) -> None:
        """The chosen points get a dark ring."""
        self.chosen = chosen
        pens = [pg.mkPen(None)] * len(self.points)
        ring = pg.mkPen(CHOSEN, width=1.5)
        for i in chosen:
            pens[i] = ring
        self.scatter.setPen(pens)
        self.caption.setText(f"{len(chosen)} chosen" if chosen else HINT)

    @Slot(bool)
    def _lasso_toggled(self, on: bool) -> None:
        self.box.lassoing = on

    def _hovered(self, _item: Any, points: Any, _event: Any) -> None:
        if len(points):
            self.hovered.emit(int(points[0].data()))
