"""An image with its labelled boxes, scaled to fit, redrawn as the score threshold moves; the
selected box is drawn dashed with its corner handles (the box editor moves them)."""

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
from fmstudio.core.detect.editing import USER_SCORE
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
        self.selected: int | None = None
        """The index in `shown_boxes` of the box drawn selected."""
        self._labels: list[str] = []

    def message(self, text: str) -> None:
        """No image: a line in the middle (why the image cannot be shown, or what to do)."""
        scene = self.scene()
        scene.clear()
        self._pixmap, self.shown_boxes, self.selected = None, [], None
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
        self._pixmap, self.selected = pixmap, None
        self.show_boxes(boxes, labels)
        return True

    def image_size(self) -> tuple[int, int]:
        """The shown image's width and height in pixels ((0, 0) with none)."""
        return (self._pixmap.width(), self._pixmap.height()) if self._pixmap else (0, 0)

    def show_boxes(self, boxes: Sequence[Box], labels: Sequence[str]) -> None:
        """Redraw the boxes over the image already shown (the threshold moved, a box changed);
        the selection stays while its box does."""
        self.shown_boxes, self._labels = list(boxes), list(labels)
        if self.selected is not None and self.selected >= len(self.shown_boxes):
            self.selected = None
        self.draw_boxes(self.shown_boxes, self.selected)

    def draw_boxes(self, boxes: Sequence[Box], selected: int | None) -> None:
        """Draw `boxes` over the image, box `selected` dashed with handles (also mid-drag)."""
        if self._pixmap is None:
            return
        scene = self.scene()
        scene.clear()
        scene.addPixmap(self._pixmap)
        scene.setSceneRect(QRectF(self._pixmap.rect()))
        width = max(2.0, max(self._pixmap.width(), self._pixmap.height()) / 300)
        order = sorted(range(len(boxes)), key=lambda i: (i == selected, boxes[i].score))
        for index in order:  # the best caption, then the selected box, end on top
            box = boxes[index]
            self._draw(box, QColor(colour(box.label, self._labels)), width, index == selected)
        self._fit()

    def _draw(self, box: Box, colour: QColor, width: float, selected: bool) -> None:
        x1, y1, x2, y2 = box.box
        rect = QGraphicsRectItem(QRectF(x1, y1, x2 - x1, y2 - y1))
        pen = QPen(colour, width * 1.5 if selected else width)
        pen.setCosmetic(False)
        if selected:
            pen.setStyle(Qt.PenStyle.DashLine)
        rect.setPen(pen)
        text = box.label if box.score >= USER_SCORE else f"{box.label} {box.score:.0%}"
        rect.setToolTip(text)
        self.scene().addItem(rect)
        caption = QGraphicsSimpleTextItem(text)
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
        if selected:
            self._handles(box, colour, width)

    def _handles(self, box: Box, colour: QColor, width: float) -> None:
        """Squares on the corners: where a drag resizes the box."""
        side = width * 4
        x1, y1, x2, y2 = box.box
        for x, y in ((x1, y1), (x2, y1), (x1, y2), (x2, y2)):
            handle = QGraphicsRectItem(QRectF(x - side / 2, y - side / 2, side, side))
            handle.setBrush(QBrush(QColor("white")))
            handle.setPen(QPen(colour, width / 2))
            self.scene().addItem(handle)

    def _fit(self) -> None:
        if self._pixmap is not None:
            self.fitInView(self.sceneRect(), Qt.AspectRatioMode.KeepAspectRatio)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit()
