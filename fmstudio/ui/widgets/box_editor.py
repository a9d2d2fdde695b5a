"""The box view, editable with the mouse: a click selects a box, a drag on the image draws one
(inside a bigger box too), a drag inside the selected box moves it, a drag on any box's edge or
corner resizes it; the cursor shows which. Every finished change is emitted as the image's new
list of boxes; the tab keeps them and the undo history."""

from __future__ import annotations

from PySide6.QtCore import QPointF, Qt, Signal
from PySide6.QtGui import QCursor, QMouseEvent
from PySide6.QtWidgets import QApplication, QWidget

from fmstudio.core.detect.editing import (
    BOTTOM,
    LEFT,
    RIGHT,
    TOP,
    USER_SCORE,
    WHOLE,
    Grab,
    dragged,
    drawn,
    grab,
)
from fmstudio.core.detect.results import Box
from fmstudio.ui.widgets.box_view import BoxView

REACH_PX = 6
"""How near, in screen pixels, a press must be to an edge to take it."""
CURSORS = {
    WHOLE: Qt.CursorShape.SizeAllCursor,
    frozenset({LEFT}): Qt.CursorShape.SizeHorCursor,
    frozenset({RIGHT}): Qt.CursorShape.SizeHorCursor,
    frozenset({TOP}): Qt.CursorShape.SizeVerCursor,
    frozenset({BOTTOM}): Qt.CursorShape.SizeVerCursor,
    frozenset({LEFT, TOP}): Qt.CursorShape.SizeFDiagCursor,
    frozenset({RIGHT, BOTTOM}): Qt.CursorShape.SizeFDiagCursor,
    frozenset({RIGHT, TOP}): Qt.CursorShape.SizeBDiagCursor,
    frozenset({LEFT, BOTTOM}): Qt.CursorShape.SizeBDiagCursor,
}


class BoxEditor(BoxView):
    edited = Signal(list, str)
    """The image's boxes after a person's change, and the change in words ("moving a box")."""
    selection_changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.new_label = "object"
        """The class a drawn box gets."""
        self.setMouseTracking(True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self._slack = QApplication.startDragDistance()
        self._start: tuple[float, float] | None = None
        self._grab: Grab | None = None
        self._under: Grab | None = None
        self._live: list[Box] | None = None

    def _at(self, event: QMouseEvent) -> tuple[float, float]:
        point: QPointF = self.mapToScene(event.position().toPoint())
        return point.x(), point.y()

    def _reach(self) -> float:
        """REACH_PX in image pixels at the current zoom."""
        return REACH_PX / max(self.transform().m11(), 1e-6)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if self._pixmap is None or event.button() != Qt.MouseButton.LeftButton:
            super().mousePressEvent(event)
            return
        self._start = self._at(event)
        self._under = self._taken(self._start)
        self._grab = self._under if self._under and self._moves(self._under) else None
        self._live = None
        if self._grab is not None:
            self.select(self._grab.index)

    def _taken(self, at: tuple[float, float]) -> Grab | None:
        return grab(self.shown_boxes, *at, self._reach())

    def _moves(self, taken: Grab) -> bool:
        """An edge resizes any box; the inside moves only the selected box (elsewhere a drag
        draws, so that a box can be drawn inside another)."""
        return taken.edges != WHOLE or taken.index == self.selected

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        at = self._at(event)
        if self._start is None:
            self._hover(at)
            super().mouseMoveEvent(event)
            return
        moved = abs(at[0] - self._start[0]) + abs(at[1] - self._start[1])
        if self._live is None and moved * self.transform().m11() < self._slack:
            return  # a hand's tremor during a click is not a drag
        size = self.image_size()
        boxes = list(self.shown_boxes)
        if self._grab is not None:
            index, before = self._grab.index, boxes[self._grab.index]
            dx, dy = at[0] - self._start[0], at[1] - self._start[1]
            corners = dragged(before.box, self._grab.edges, dx, dy, size)
            boxes[index] = Box(before.label, USER_SCORE, corners)
        else:
            corners_or_none = drawn(self._start, at, size)
            if corners_or_none is None:
                return
            boxes.append(Box(self.new_label, USER_SCORE, corners_or_none))
            index = len(boxes) - 1
        self._live = boxes
        self.draw_boxes(boxes, index)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        live, self._start, self._live = self._live, None, None
        if event.button() != Qt.MouseButton.LeftButton:
            super().mouseReleaseEvent(event)
            return
        if live is None:  # a click: select the box under it, or none
            self.select(self._under.index if self._under else None)
            return
        if self._grab is None:
            self.selected = len(live) - 1
            self.edited.emit(live, "drawing a box")
        else:
            moved = "moving" if self._grab.edges == WHOLE else "resizing"
            self.edited.emit(live, f"{moved} a box")

    def _hover(self, at: tuple[float, float]) -> None:
        if self._pixmap is None:
            self.viewport().unsetCursor()
            return
        taken = self._taken(at)
        moves = taken is not None and self._moves(taken)
        shape = CURSORS[taken.edges] if taken and moves else Qt.CursorShape.CrossCursor
        self.viewport().setCursor(QCursor(shape))

    def select(self, index: int | None) -> None:
        if index != self.selected:
            self.selected = index
            self.draw_boxes(self.shown_boxes, index)
            self.selection_changed.emit()

    def selected_box(self) -> Box | None:
        return self.shown_boxes[self.selected] if self.selected is not None else None

    def relabel_selected(self, label: str) -> bool:
        """The selected box becomes a `label` (False with no box selected)."""
        box = self.selected_box()
        if box is None or self.selected is None:
            return False
        boxes = list(self.shown_boxes)
        boxes[self.selected] = Box(label, USER_SCORE, box.box)
        self.edited.emit(boxes, f"naming a box {label}")
        return True

    def delete_selected(self) -> bool:
        """The selected box goes (False with no box selected)."""
        if self.selected is None:
            return False
        boxes = [b for i, b in enumerate(self.shown_boxes) if i != self.selected]
        self.selected = None
        self.edited.emit(boxes, "removing a box")
        return True
