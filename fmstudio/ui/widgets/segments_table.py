"""An editable table of transcript segments: start, end, speaker and text.

The speaker column shows only when speakers were found. Each speaker has a colour; editing
a speaker cell moves that segment to another speaker (or a new one), and the context menu
renames a speaker everywhere or moves the selected segments.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import replace

from PySide6.QtCore import QPoint, Qt, Signal, Slot
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHeaderView,
    QInputDialog,
    QMenu,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from fmstudio.core.speech.transcripts import Segment
from fmstudio.core.speech.voices import VoiceLibrary, is_numbered, maybe_name
from fmstudio.core.speech.writers import timestamp
from fmstudio.ui.widgets.confirm import ask_name

START, END, SPEAKER, TEXT = range(4)


def speaker_colour(index: int) -> QColor:
    """A light colour per speaker, far apart on the colour wheel for the first few."""
    return QColor.fromHsv((index * 137) % 360, 70, 255)


class _SpeakerDelegate(QStyledItemDelegate):
    """The speaker cell's editor: the transcript's speakers, or a typed new name."""

    def __init__(self, table: SegmentsTable) -> None:
        super().__init__(table)
        self.table = table

    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem, index: object) -> QWidget:
        combo = QComboBox(parent)
        combo.setEditable(True)
        combo.addItems(self.table.speakers())
        return combo


class SegmentsTable(QTableWidget):
    """Times are read-only; the text and the speaker can be corrected before export."""

    speakers_changed = Signal()
    voice_named = Signal(str, str)
    """A speaker (as labelled now) and the name its voice is to be remembered by."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(0, 4, parent)
        self.setHorizontalHeaderLabels(["Start", "End", "Speaker", "Text"])
        self.verticalHeader().setVisible(False)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
        )
        header = self.horizontalHeader()
        for col in (START, END, SPEAKER):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.setItemDelegateForColumn(SPEAKER, _SpeakerDelegate(self))
        self.setColumnHidden(SPEAKER, True)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.customContextMenuRequested.connect(self._menu)
        self.itemChanged.connect(self._recolour)
        self.setToolTip(
            "Double-click a text to correct it, or a speaker to give the segment to another;\n"
            "right-click to rename a speaker everywhere or remember their voice.\n"
            "Click a row to hear it."
        )
        self._segments: list[Segment] = []

    def set_segments(self, segments: Sequence[Segment]) -> None:
        self.setRowCount(0)
        self._segments = []
        for s in segments:
            self._add_row(s)
        has_speakers = any(s.speaker for s in segments)
        self.setColumnHidden(SPEAKER, not has_speakers)  # another transcript may have none
        if has_speakers:
            self._recolour()

    def append(self, s: Segment) -> None:
        self._add_row(s)
        if s.speaker:
            self._show_speakers()

    def _show_speakers(self) -> None:
        self.setColumnHidden(SPEAKER, False)
        self._recolour()

    def _add_row(self, s: Segment) -> None:
        row = self.rowCount()
        self.blockSignals(True)
        self.insertRow(row)
        self._segments.append(s)
        for col, value in ((START, timestamp(s.start, ".")), (END, timestamp(s.end, "."))):
            item = QTableWidgetItem(value)
            item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
            self.setItem(row, col, item)
        self.setItem(row, SPEAKER, QTableWidgetItem(s.speaker))
        self.setItem(row, TEXT, QTableWidgetItem(s.text))
        self.blockSignals(False)

    def _cell(self, row: int, col: int) -> str:
        item = self.item(row, col)
        return item.text().strip() if item else ""

    def segments(self) -> list[Segment]:
        """The segments with the user's corrections (text and speaker)."""
        return [
            replace(s, text=self._cell(row, TEXT), speaker=self._cell(row, SPEAKER))
            for row, s in enumerate(self._segments)
        ]

    def speakers(self) -> list[str]:
        """The speakers in order of first appearance."""
        return list(
            dict.fromkeys(n for r in range(self.rowCount()) if (n := self._cell(r, SPEAKER)))
        )

    def rename_speaker(self, old: str, new: str) -> None:
        """Every segment of `old` becomes `new`'s (two speakers can be merged this way)."""
        new = new.strip()
        if not new:
            return
        self.set_speaker([r for r in range(self.rowCount()) if self._cell(r, SPEAKER) == old], new)

    def set_speaker(self, rows: Sequence[int], name: str) -> None:
        for row in rows:
            item = self.item(row, SPEAKER)
            if item is not None:
                item.setText(name)

    @Slot()
    def _recolour(self) -> None:
        names = self.speakers()
        self.blockSignals(True)
        for row in range(self.rowCount()):
            name = self._cell(row, SPEAKER)
            colour = speaker_colour(names.index(name)) if name in names else QColor(0, 0, 0, 0)
            for col in (SPEAKER, TEXT):
                item = self.item(row, col)
                if item is not None:
                    item.setBackground(colour)
        self.blockSignals(False)
        self.speakers_changed.emit()

    @Slot(QPoint)
    def _menu(self, at: QPoint) -> None:
        menu = self.menu_for(self.rowAt(at.y()))
        if menu is not None:
            menu.popup(self.viewport().mapToGlobal(at))

    def menu_for(self, row: int) -> QMenu | None:
        """The context menu of a row with a speaker (None for any other)."""
        name = self._cell(row, SPEAKER) if row >= 0 else ""
        if not name:
            return None
        menu = QMenu(self)
        menu.addAction(f"Rename “{name}” everywhere…", lambda: self._ask_rename(name))
        maybe = maybe_name(name)
        if maybe:
            menu.addAction(f"This is {maybe}", lambda: self.voice_named.emit(name, maybe))
        menu.addAction("Remember this voice as…", lambda: self._ask_voice(name))
        rows = sorted({i.row() for i in self.selectionModel().selectedRows()} | {row})
        give = menu.addMenu("Give the selected segments to")
        for other in self.speakers():
            give.addAction(other, functools.partial(self.set_speaker, rows, other))
        return menu

    def _ask_voice(self, name: str) -> None:
        """A name for the speaker's voice, known in every later transcription."""
        known = [v.name for v in VoiceLibrary().voices()]
        start = maybe_name(name) or ("" if is_numbered(name) else name)
        dialog = QInputDialog(self)
        dialog.setWindowTitle("Remember this voice")
        dialog.setLabelText(
            f"Who is “{name}”? Later transcriptions with speakers will know the voice\n"
            "(a name already known learns from this recording too)."
        )
        dialog.setComboBoxEditable(True)
        dialog.setComboBoxItems(sorted({*known, start} - {""}))
        dialog.setTextValue(start)
        if dialog.exec() and (new := dialog.textValue().strip()) and not is_numbered(new):
            self.voice_named.emit(name, new)

    def _ask_rename(self, name: str) -> None:
        new = ask_name(self, "Rename speaker", f"New name for “{name}”, everywhere:", name)
        if new is not None:
            self.rename_speaker(name, new)
