"""Live training curves: loss per step (raw and smoothed) and validation per epoch.

The core's `MetricHistory` holds the numbers; a 10 Hz timer redraws only when its version
changed, with one PlotDataItem per series (pyqtgraph `setData`).
"""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import QTimer, Slot
from PySide6.QtWidgets import QHBoxLayout, QWidget

from fmstudio.core.train.events import NAMES
from fmstudio.core.train.history import MetricHistory

REFRESH_MS = 100


def white_plot(title: str) -> pg.PlotWidget:
    """A white plot with dark axes, set on the widget (pyqtgraph's global options stay)."""
    plot = pg.PlotWidget(background="w")
    plot.setTitle(title, color="k")
    for side in ("left", "bottom"):
        axis = plot.getAxis(side)
        axis.setPen("k")
        axis.setTextPen("k")
    return plot


def legend_below(plot: pg.PlotWidget) -> pg.LegendItem:
    """A legend in a row under the chart: inside, any corner hides a curve (loss falls to
    the bottom right, accuracy climbs to the top right)."""
    legend = pg.LegendItem(colCount=3, labelTextColor="k")
    plot.getPlotItem().layout.addItem(legend, 4, 1)
    return legend


NAMED_COLOURS = ((150, 40, 160), (200, 120, 20), (20, 140, 150))
NAMED_SYMBOLS = ("s", "d", "star")


class LiveCurves(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.history = MetricHistory()
        self._drawn = -1
        self.loss_plot = white_plot("Training loss per step")
        self.loss_plot.setLabel("bottom", "step")
        self.loss_legend = legend_below(self.loss_plot)
        self.raw = self.loss_plot.plot(antialias=True, pen=pg.mkPen((160, 190, 230), width=1))
        self.smooth = self.loss_plot.plot(antialias=True, pen=pg.mkPen((30, 90, 200), width=2))

        self.epoch_plot = white_plot("Validation per epoch")
        self.epoch_plot.setLabel("bottom", "epoch")
        self.epoch_legend = legend_below(self.epoch_plot)
        self.val_loss = self.epoch_plot.plot(
            antialias=True,
            pen=pg.mkPen((200, 80, 30), width=2),
            symbol="o",
            symbolSize=6,
        )
        self.train_loss = self.epoch_plot.plot(
            antialias=True,
            pen=pg.mkPen((30, 90, 200), width=1, style=pg.QtCore.Qt.PenStyle.DashLine),
        )
        self.val_acc = self.epoch_plot.plot(
            antialias=True,
            pen=pg.mkPen((40, 150, 60), width=2),
            symbol="t",
            symbolSize=7,
        )
        self.warm_up = self.epoch_plot.plot(
            antialias=True,
            pen=pg.mkPen((200, 80, 30), width=1, style=pg.QtCore.Qt.PenStyle.DotLine),
            symbol="o",
            symbolSize=4,
        )
        """The new head's warm-up on frozen features, drawn in (-1, 0]: the chart shows
        the run from its first minutes, not after the warm-up."""
        self.named: dict[str, pg.PlotDataItem] = {}
        """One curve per named validation figure, made when its first value arrives."""

        self.labels: dict[pg.PlotDataItem, tuple[pg.LegendItem, str]] = {
            self.raw: (self.loss_legend, "raw"),
            self.smooth: (self.loss_legend, "smoothed"),
            self.val_loss: (self.epoch_legend, "val loss"),
            self.train_loss: (self.epoch_legend, "train loss"),
            self.val_acc: (self.epoch_legend, "val accuracy"),
            self.warm_up: (self.epoch_legend, "warm-up val loss"),
        }
        """Each curve's legend and label: a curve joins its legend when it has points, so
        a run lists only the figures it has (no "val WER" for a classifier)."""
        self.listed: set[pg.PlotDataItem] = set()
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.loss_plot)
        layout.addWidget(self.epoch_plot)
        self.timer = QTimer(self)
        self.timer.setInterval(REFRESH_MS)
        self.timer.timeout.connect(self.redraw)
        self.timer.start()

    def reset(self) -> None:
        self.history = MetricHistory()
        for item in self.named.values():
            self.epoch_plot.removeItem(item)
            del self.labels[item]
        self.named.clear()
        for legend in (self.loss_legend, self.epoch_legend):
            legend.clear()
        self.listed.clear()
        self.redraw()

    @Slot()
    def redraw(self) -> None:
        h = self.history
        if h.version == self._drawn:
            return
        self._drawn = h.version
        self.raw.setData(h.steps, h.loss)
        self.smooth.setData(h.steps, h.smoothed)
        self.train_loss.setData(h.epochs, h.train_loss)
        self.val_loss.setData(h.val_epochs, h.val_loss)
        self.val_acc.setData(h.val_epochs, h.val_accuracy)
        self.warm_up.setData(h.warm_epochs, h.warm_val_loss)
        for name, values in h.val_metrics.items():
            if name not in self.named:
                self.named[name] = self._named_curve(name, len(self.named))
            self.named[name].setData(h.val_metric_epochs[name], values)
        self._list_drawn()

    def _list_drawn(self) -> None:
        for item, (legend, label) in self.labels.items():
            xs = item.getData()[0]
            if item not in self.listed and xs is not None and len(xs):
                legend.addItem(item, label)
                self.listed.add(item)

    def _named_curve(self, name: str, index: int) -> pg.PlotDataItem:
        colour = NAMED_COLOURS[index % len(NAMED_COLOURS)]
        item = self.epoch_plot.plot(
            antialias=True,
            pen=pg.mkPen(colour, width=2),
            symbol=NAMED_SYMBOLS[index % len(NAMED_SYMBOLS)],
            symbolSize=6,
        )
        self.labels[item] = (self.epoch_legend, f"val {NAMES.get(name, name)}")
        return item

    def legend_labels(self) -> list[str]:
        """What the validation chart's legend lists (for tests)."""
        return [
            label
            for item, (legend, label) in self.labels.items()
            if item in self.listed and legend is self.epoch_legend
        ]

    def points(self) -> int:
        """How many step points the loss curve shows (for tests and the status line)."""
        data = self.raw.getData()[0]
        return 0 if data is None else len(data)
