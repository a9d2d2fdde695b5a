"""An image with its labelled boxes, scaled to fit, redrawn as the score threshold moves."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QPen, QPixmap, QResizeEvent
from PySide6.QtWidgets import (
    QGraphicsRectItem,
    QGraphicsScene,
    QGraphicsSimpleTextItem,
    QGraphicsView,
    QWidget,
)

from fmstudio.core.detect.draw import colour
from fmstudio.core.detect.results import Box


class BoxView(QGraphicsView):
    """Shows one image and its boxes; `message` when there is none (or it failed)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setScene(QGraphicsScene(self))
        self.setRenderHints(self.renderHints())
        self.setMinimumSize(240, 180)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setBackgroundBrush(QBrush(QColor("#202020")))
        self._pixmap: QPixmap | None = None
        self.shown_boxes: list[Box] = []

    def message(self, text: str) -> None:
        """No image: a line in the middle (why the image cannot be shown, or what to do)."""
        scene = self.scene()
        scene.clear()
        self._pixmap, self.shown_boxes = None, []
        item = scene.addSimpleText(text)
        item.setBrush(QBrush(QColor("#dddddd")))
        scene.setSceneRect(item.boundingRect())
        self.resetTransform()

    def show_image(self, path: str, boxes: Sequence[Box], labels: Sequence[str]) -> bool:
        """The image at `path` with `boxes`; False (and a message) when Qt cannot read it."""
        pixmap = QPixmap(path)
        if pixmap.isNull():
            self.message(f"Cannot show {path}")
            return False
        self._pixmap = pixmap
        self.show_boxes(boxes, labels)
        return True

    def show_boxes(self, boxes: Sequence[Box], labels: Sequence[str]) -> None:
        """Redraw the boxes over the image already shown (the threshold moved)."""
        if self._pixmap is None:
            return
        scene = self.scene()
        scene.clear()
        scene.addPixmap(self._pixmap)
        scene.setSceneRect(QRectF(self._pixmap.rect()))
        self.shown_boxes = list(boxes)
        width = max(2.0, max(self._pixmap.width(), self._pixmap.height()) / 300)
        for box in sorted(boxes, key=lambda b: b.score):  # the best caption ends on top
            self._draw(box, QColor(colour(box.label, labels)), width)
        self._fit()

    def _draw(self, box: Box, colour: QColor, width: float) -> None:
        x1, y1, x2, y2 = box.box
        rect = QGraphicsRectItem(QRectF(x1, y1, x2 - x1, y2 - y1))
        pen = QPen(colour, width)
        pen.setCosmetic(False)
        rect.setPen(pen)
        rect.setToolTip(f"{box.label} {box.score:.0%}")
        self.scene().addItem(rect)
        caption = QGraphicsSimpleTextItem(f"{box.label} {box.score:.0%}")
        font = QFont()
        font.setPixelSize(max(12, round(max(self.sceneRect().width(), 1) / 40)))
        caption.setFont(font)
        caption.setBrush(QBrush(QColor("white")))
        size = caption.boundingRect()
        top = y1 - size.height() if y1 >= size.height() else y1  # above, else inside at the top
        back = QGraphicsRectItem(QRectF(x1, top, size.width() + 2 * width, size.height()))
        back.setBrush(QBrush(colour))
        back.setPen(QPen(Qt.PenStyle.NoPen))
        self.scene().addItem(back)
        caption.setPos(x1 + width, top)
        self.scene().addItem(caption)

    def _fit(self) -> None:
        if self._pixmap is not None:
            self.fitInView(self.sceneRect(), Qt.AspectRatioMode.KeepAspectRatio)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit()
