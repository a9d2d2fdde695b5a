"""ClassifyTab: what the Image and Text tabs share. Drop or open inputs, results stream into
a table with a ranking panel, export as CSV or JSON. Subclasses supply the controls and the job."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from fmstudio.core.config import Settings
from fmstudio.core.events import Partial
from fmstudio.core.results import ItemResult, export
from fmstudio.ui.tabs.base import TaskTab
from fmstudio.ui.widgets.drop_area import DropArea
from fmstudio.ui.widgets.results_table import ResultsTable
from fmstudio.ui.widgets.score_bars import ScoreBars
from fmstudio.ui.worker import JobFactory


class ClassifyTab(TaskTab):
    item_header = "Item"
    detail_header = "Details"

    def __init__(self, settings: Settings, hint: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.settings = settings
        self._pending: list[str] = []
        self.open_button = QPushButton(f"Add {self.noun}…")
        self.open_button.setToolTip(f"Choose {self.noun} (Ctrl+O); or drop files and folders below")
        self.open_button.clicked.connect(self.open_files)
        self.export_button = QPushButton("Export…")
        self.export_button.setToolTip("Save the results as CSV or JSON (Ctrl+E)")
        self.export_button.setShortcut("Ctrl+E")
        self.export_button.clicked.connect(self.export_dialog)
        self.clear_button = QPushButton("Clear")
        self.clear_button.setToolTip("Remove all results")
        self.clear_button.clicked.connect(self.clear)

        self.table = ResultsTable(self.item_header, self.detail_header)
        self.table.result_selected.connect(self._show_ranking)
        self.bars = ScoreBars()
        self.hint = QLabel(hint)
        self.hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.hint.setWordWrap(True)
        splitter = QSplitter()
        splitter.addWidget(self.table)
        splitter.addWidget(self.bars)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)
        self.drop_area = DropArea()
        self.drop_area.paths_dropped.connect(self.add_paths)
        drop_layout = QVBoxLayout(self.drop_area)
        drop_layout.addWidget(self.hint)
        drop_layout.addWidget(splitter, 1)

        self.controls = QHBoxLayout()
        self.controls.addWidget(self.open_button)
        self.extra_controls = QVBoxLayout()
        bottom = QHBoxLayout()
        bottom.addWidget(self.progress, 1)
        bottom.addWidget(self.stop_button)
        layout = QVBoxLayout(self)
        layout.addLayout(self.controls)
        layout.addLayout(self.extra_controls)
        layout.addWidget(self.drop_area, 1)
        layout.addLayout(bottom)
        layout.addWidget(self.status)

    def finish_controls(self) -> None:
        """Subclasses add their controls to `self.controls`, then call this."""
        self.controls.addWidget(self.export_button)
        self.controls.addWidget(self.clear_button)

    def make_job(self, inputs: list[str]) -> tuple[JobFactory, str]:
        """The job for these inputs and the message shown while it runs."""
        raise NotImplementedError

    def detail(self, result: ItemResult) -> str:
        return ""

    @Slot(list)
    def add_paths(self, new_paths: list[str]) -> None:
        """Classify these files and folders now, or after the running job."""
        self._pending.extend(str(p) for p in new_paths)
        if not self.is_busy():
            self.start_pending()

    def start_pending(self) -> None:
        if not self._pending:
            return
        batch, self._pending = self._pending, []
        try:
            factory, message = self.make_job(batch)
        except ValueError as exc:
            self.status.setText(str(exc))
            return
        self.hint.hide()
        self.start_job(factory, message)

    def on_partial(self, event: Partial) -> None:
        results: list[ItemResult] = list(event.items)
        self.table.add_results(results, [self.detail(r) for r in results])
        if self.table.view.currentIndex().row() < 0 and self.table.visible_rows():
            self.table.select_row(0)

    def on_done(self, result: object, elapsed_s: float) -> None:
        items = result if isinstance(result, list) else []
        failed = sum(not r.ok for r in items)
        rate = len(items) / elapsed_s if elapsed_s > 0 else 0.0
        text = f"{len(items) - failed} {self.noun} classified in {elapsed_s:.1f} s ({rate:.1f}/s)"
        self.status.setText(text + (f"; {failed} failed (see the red rows)." if failed else "."))

    def _on_finished(self) -> None:
        super()._on_finished()
        if self._pending:
            self.start_pending()

    @Slot(object)
    def _show_ranking(self, result: ItemResult) -> None:
        name = Path(result.path).name
        if result.ok:
            self.bars.show_predictions(name, result.predictions)
        else:
            self.bars.clear(f"{name}: {result.error}")

    @Slot()
    def export_dialog(self) -> None:
        if not self.table.results():
            self.status.setText("Nothing to export yet.")
            return
        start = str(
            Path(self.settings.last_folder or Path.home()) / f"{self.title.lower()}-results.csv"
        )
        target, _ = QFileDialog.getSaveFileName(
            self, "Export results", start, "CSV (*.csv);;JSON (*.json)"
        )
        if target:
            self.export_to(Path(target))

    def export_to(self, target: Path) -> None:
        try:
            export(self.table.results(), target)
        except OSError as exc:
            self.status.setText(f"Could not export to {target}: {exc.strerror or exc}")
            return
        self.status.setText(f"Exported {len(self.table.results())} rows to {target}.")

    @Slot()
    def clear(self) -> None:
        self.table.clear()
        self.bars.clear()
        self.hint.show()
