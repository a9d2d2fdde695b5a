"""The audit of a dataset folder, in a window of its own: what looks wrong, file by file.

Likely label errors come first, most likely first; Enter files the selected one under the
class the audit suggests (a move into the sibling class folder) and Ctrl+Z puts it back, as
the review does with its keys. Leaks, near duplicates and outliers are listed with their
files, and classes the probes confuse with their share. A picture, the start of a text, or
(Space) the sound of the selected file shows what it is. The audit runs on a job of this
window's own (`JobDialog`): closing the window stops it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from fmstudio.core.audit.refile import Refiler
from fmstudio.core.data.playback import Playback
from fmstudio.core.data.suffixes import AUDIO_SUFFIXES, IMAGE_SUFFIXES
from fmstudio.core.requests import Audit
from fmstudio.ui.jobs import lazy_job
from fmstudio.ui.widgets.audio_player import AudioPlayer
from fmstudio.ui.widgets.audit_map_page import AuditMapPage
from fmstudio.ui.widgets.cells import table_item
from fmstudio.ui.widgets.job_dialog import JobDialog
from fmstudio.ui.widgets.job_status import JobStatus
from fmstudio.ui.widgets.shortcuts import add_shortcut

AUDIT = "fmstudio.core.audit.job:audit"
PREVIEW = 224
TEXT_SHOWN = 600
EXAMPLE = Qt.ItemDataRole.UserRole
NO_EXAMPLE = -1
"""A row about classes, not about a file."""
SUSPECT_COLUMNS = ("File", "Given", "Suggested", "Score", "Now")


def _table(headers: tuple[str, ...], tip: str) -> QTableWidget:
    table = QTableWidget(0, len(headers))
    table.setHorizontalHeaderLabels(list(headers))
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
    table.verticalHeader().hide()
    table.setToolTip(tip)
    return table


def _fill(table: QTableWidget, rows: list[list[str]], examples: list[int]) -> None:
    """Rows of text, each knowing its (first) example's index."""
    table.setRowCount(len(rows))
    for r, (row, example) in enumerate(zip(rows, examples, strict=True)):
        for c, text in enumerate(row):
            item = table_item(text, align_right=c > 0 and text[:1].isdigit())
            item.setData(EXAMPLE, example)
            item.setToolTip(row[0])
            table.setItem(r, c, item)


def _cell(table: QTableWidget, row: int, column: int) -> QTableWidgetItem:
    item = table.item(row, column)
    assert item is not None  # `_fill` gives every cell an item
    return item


class AuditWindow(JobDialog):
    """Audits a folder for a task and shows the findings; `changed` when files moved."""

    changed = Signal()

    def __init__(self, parent: QWidget, task: str, device: str = "auto") -> None:
        super().__init__(parent, task, device)
        self.setWindowTitle("Audit")
        self.resize(980, 620)
        self.player = AudioPlayer(self)
        self.refiler = Refiler([], [])
        self.map_page: AuditMapPage | None = None
        self.map_path = ""
        """The file of the map point last hovered: what Space plays on the map."""
        self.summary = QLabel("Choose a dataset to audit.")
        self.summary.setWordWrap(True)
        self.suspects = _table(
            SUSPECT_COLUMNS,
            "Files whose class looks wrong, most likely first: Enter files the selected one "
            "under the suggested class, Ctrl+Z puts it back",
        )
        self.leaks = _table(
            ("File", "Held-out file", "Similarity"),
            "Training files that a "
            "validation or test file nearly repeats: they inflate every figure",
        )
        self.duplicates = _table(
            ("File", "Near duplicate", "Similarity"),
            "Pairs of files that are nearly the same (not byte-identical)",
        )
        self.outliers = _table(
            ("File", "Class", "Distance"), "Files far from every other file of their class"
        )
        self.overlaps = _table(
            ("Class", "Taken for", "Share"),
            "Classes whose held-out examples the probes take for another class: one concept "
            "split in two, or two classes that need more examples to tell apart",
        )
        self.pages = QTabWidget()
        for table, title in self._sections():
            self.pages.addTab(table, title)
            table.itemSelectionChanged.connect(self._preview_selected)
        self.preview = QLabel()
        self.preview.setFixedWidth(PREVIEW + 16)
        self.preview.setWordWrap(True)
        self.preview.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignHCenter)
        self._lay_out()
        add_shortcut(self, "File under the suggested class", "Return", self.refile_current)
        add_shortcut(self, "Put the file back", "Ctrl+Z", self.undo)
        add_shortcut(self, "Play", "Space", self.play_current)

    def _sections(self) -> list[tuple[QTableWidget, str]]:
        return [
            (self.suspects, "Likely label errors"),
            (self.leaks, "Leaks"),
            (self.duplicates, "Near duplicates"),
            (self.outliers, "Outliers"),
            (self.overlaps, "Overlapping classes"),
        ]

    def _lay_out(self) -> None:
        self.refile_button = QPushButton("File under suggested class")
        self.refile_button.setToolTip("Move the selected file into the suggested class (Enter)")
        self.refile_button.clicked.connect(self.refile_current)
        self.undo_button = QPushButton("Put back")
        self.undo_button.setToolTip("Move the last filed files back where they were (Ctrl+Z)")
        self.undo_button.clicked.connect(self.undo)
        buttons = QHBoxLayout()
        for button in (self.refile_button, self.undo_button):
            button.setAutoDefault(False)  # Enter files a suspect, it does not press a button
            buttons.addWidget(button)
        buttons.addStretch(1)
        body = QHBoxLayout()
        body.addWidget(self.pages, 1)
        body.addWidget(self.preview)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addLayout(body, 1)
        layout.addLayout(buttons)
        layout.addWidget(JobStatus(self.jobs))

    def start(self, root: str) -> bool:
        """Start auditing `root` (False while an audit runs)."""
        request = Audit(root, self.task, device=self.device)
        self.summary.setText(f"Auditing {root}…")
        self.setWindowTitle(f"Audit: {Path(root).name}")
        return self.jobs.start(lazy_job(AUDIT, request), "Auditing…", on_done=self.show_found)

    def show_found(self, result: Any, _elapsed: float = 0.0) -> None:
        """Fill the tables (and the map, where the audit drew one) from an `AuditResult`."""
        self.refiler = Refiler([s.path for s in result.samples], [s.label for s in result.samples])
        self.summary.setText(f"{result.root}: {result.summary()}.")
        path = self.refiler.paths.__getitem__
        rows = [
            [path(s.index), s.given, s.suggested, f"{s.score:.2f}", ""] for s in result.suspects
        ]
        _fill(self.suspects, rows, [s.index for s in result.suspects])
        for table, pairs in ((self.leaks, result.leaks), (self.duplicates, result.duplicates)):
            rows = [[path(p.first), path(p.second), f"{p.similarity:.3f}"] for p in pairs]
            _fill(table, rows, [p.first for p in pairs])
        labels = self.refiler.labels
        rows = [[path(i), labels[i], f"{d:.3f}"] for i, d in result.outliers]
        _fill(self.outliers, rows, [i for i, _d in result.outliers])
        rows = [[a, b, f"{share:.0%}"] for a, b, share in result.overlaps]
        _fill(self.overlaps, rows, [NO_EXAMPLE] * len(rows))
        for i, (table, title) in enumerate(self._sections()):
            self.pages.setTabText(i, f"{title} ({table.rowCount()})")
        if result.points is not None:
            self._show_map(result.points)
        if result.suspects:
            self.pages.setCurrentIndex(0)
            self.suspects.selectRow(0)
            self.suspects.setFocus()

    def _show_map(self, points: Any) -> None:
        if self.map_page is None:
            self.map_page = AuditMapPage(self)
            self.map_page.hovered.connect(self._preview_example)
            self.map_page.file_chosen.connect(self._file_group)
            self.pages.addTab(self.map_page, "Map")
        self.map_page.show_examples(points, self.refiler.labels)

    @Slot()
    def refile_current(self) -> None:
        """The selected suspect goes under its suggested class; the next one is selected."""
        row = self.suspects.currentRow()
        if self.pages.currentWidget() is not self.suspects or row < 0:
            return
        if not _cell(self.suspects, row, 4).text():
            self._move([self._example(self.suspects, row)], _cell(self.suspects, row, 2).text())
        if row + 1 < self.suspects.rowCount():
            self.suspects.selectRow(row + 1)

    @Slot(list, str)
    def _file_group(self, examples: list[int], label: str) -> None:
        self._move(examples, label)

    def _move(self, examples: list[int], label: str) -> None:
        moved, problems = self.refiler.move(examples, label)
        self._show_moves(moved, f"filed under {label}")
        if problems:
            self.summary.setText("Not moved: " + "; ".join(problems))
        elif moved:
            self.summary.setText(f"{len(moved)} filed under {label} (Ctrl+Z puts them back).")

    @Slot()
    def undo(self) -> None:
        if not self.refiler.can_undo:
            self.summary.setText("Nothing to put back.")
            return
        back, problems = self.refiler.undo()
        self._show_moves(back, "")
        self.summary.setText("; ".join(problems) or f"{len(back)} back where they were.")

    def _show_moves(self, examples: list[int], now: str) -> None:
        """The suspects' Now column and the map follow the files; the data page rechecks."""
        if not examples:
            return
        moved = set(examples)
        for row in range(self.suspects.rowCount()):
            if self._example(self.suspects, row) in moved:
                _cell(self.suspects, row, 4).setText(now)
        self.suspects.viewport().update()  # the selected row kept its old text on X11
        if self.map_page is not None:
            self.map_page.relabel(self.refiler.labels)
        self.changed.emit()

    def _example(self, table: QTableWidget, row: int) -> int:
        return int(_cell(table, row, 0).data(EXAMPLE))

    def _selected_path(self) -> str:
        table = self.pages.currentWidget()
        if not isinstance(table, QTableWidget) or table.currentRow() < 0:
            return self.map_path
        example = self._example(table, table.currentRow())
        return "" if example == NO_EXAMPLE else self.refiler.paths[example]

    @Slot()
    def _preview_selected(self) -> None:
        self._preview(self._selected_path())

    @Slot(int)
    def _preview_example(self, example: int) -> None:
        self.map_path = self.refiler.paths[example]
        self._preview(self.map_path)

    def _preview(self, path: str) -> None:
        suffix = Path(path).suffix.lower()
        if suffix in IMAGE_SUFFIXES:
            picture = QPixmap(path)
            self.preview.setPixmap(
                picture.scaled(PREVIEW, PREVIEW, Qt.AspectRatioMode.KeepAspectRatio)
            )
        elif suffix in AUDIO_SUFFIXES:
            self.preview.setText(f"{Path(path).name}\n\nSpace plays it.")
        elif path and Path(path).is_file():
            with open(path, encoding="utf-8", errors="replace") as text:
                self.preview.setText(text.read(TEXT_SHOWN))
        else:
            self.preview.setText(path)

    @Slot()
    def play_current(self) -> None:
        path = self._selected_path()
        if Path(path).suffix.lower() in AUDIO_SUFFIXES:
            self.player.play(Playback(path))

    def shutdown(self, timeout_ms: int = 30_000) -> None:
        super().shutdown(timeout_ms)
        self.player.shutdown(timeout_ms)
