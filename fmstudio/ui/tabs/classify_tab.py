"""ClassifyTab: the tab of every classifier task (Image, Text, any new one). Drop or open
inputs, results stream into a table with a ranking panel, export as CSV or JSON; add results
to a dataset, review the least sure first, sort the inputs into folders, train on the dataset.
It composes the task's `ClassifyControls` (its model row, options and request), a
`DatasetRow`, the results table and the `Curation` that turns results into data."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, QTimer, Slot
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from fmstudio.core.classify.calibration import unsure_below
from fmstudio.core.classify.results import ItemResult, export, trimmed
from fmstudio.core.classify.sort import SortOutcome
from fmstudio.core.config import Settings
from fmstudio.core.events import Partial
from fmstudio.core.modalities import Modality
from fmstudio.core.wording import format_counts
from fmstudio.ui.errors import user_message
from fmstudio.ui.jobs import JobController, lazy_job
from fmstudio.ui.tabs.base import Tab
from fmstudio.ui.tabs.classify_controls import ClassifyControls
from fmstudio.ui.tabs.curation import Curation
from fmstudio.ui.widgets.audit_window import AuditWindow
from fmstudio.ui.widgets.dataset_dialog import counts_text
from fmstudio.ui.widgets.dataset_row import DatasetRow
from fmstudio.ui.widgets.drop_area import DropArea
from fmstudio.ui.widgets.job_status import JobStatus
from fmstudio.ui.widgets.results_table import ResultsTable
from fmstudio.ui.widgets.score_bars import ScoreBars
from fmstudio.ui.widgets.shortcuts import add_shortcut
from fmstudio.ui.widgets.sort_dialog import SortDialog

EXPORT_KEYS = QKeySequence.StandardKey.Save


class ClassifyTab(Tab):
    def __init__(
        self,
        settings: Settings,
        modality: Modality,
        controls: ClassifyControls,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.settings = settings
        self.modality = modality
        self.controls = controls
        self.model_picker = controls.model_picker
        self.top_k = controls.top_k
        """The task's top-k (each task remembers its own); it also trims the ranking shown."""
        self._pending: list[str] = []
        self._running: list[str] = []
        """The inputs of the job under way."""
        self._held: list[str] = []
        """Inputs of a job that failed as a whole, waiting for another model."""
        self._running_model = ""
        self._running_threshold = 0.0
        """The running model's unsure threshold, read from its card once per job."""
        self._reveal = False
        """Select the first row of the next results: the user pasted them and looks for them."""
        self._review_after: int | None = None
        """Review this many least sure results once the running classification ends."""
        self.jobs = JobController(self)
        self.status = JobStatus(self.jobs)
        self.jobs.partial.connect(self._add_rows)
        self.relay_job_lines(self.jobs)
        self.jobs.runtime.connect(self.runtime_message)
        self.jobs.busy_changed.connect(self._busy_changed)
        self._make_buttons()
        self.table = ResultsTable(controls.item_header, controls.detail_header)
        if controls.row_height:
            self.table.set_row_height(controls.row_height)
        self.table.result_selected.connect(self._show_ranking)
        self.bars = ScoreBars()
        self.hint = QLabel(controls.hint)
        self.hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.hint.setWordWrap(True)
        self.drop_area = DropArea()
        self.drop_area.paths_dropped.connect(self.add_paths)
        self.curation = Curation(modality.task, settings, self.table, self)
        self.curation.said.connect(self.status.say)
        self.curation.dataset_changed.connect(self._show_dataset)
        self.curation.review_changed.connect(self._review_changed)
        self.dataset_row = self._dataset_controls()
        self._lay_out()
        self._show_dataset(self.curation.folder())
        self._connect_controls()

    def _make_buttons(self) -> None:
        """Add…, Export… and Clear, beside the task's controls."""
        noun = self.modality.noun
        self.open_button = QPushButton(f"Add {noun}…")
        self.open_button.setToolTip(
            f"Choose {noun} (Ctrl+O), or a folder (Ctrl+Shift+O); or drop files and folders below"
        )
        self.open_button.clicked.connect(self.open_files)
        export_keys = QKeySequence(EXPORT_KEYS).toString(QKeySequence.SequenceFormat.NativeText)
        self.export_button = QPushButton("Export…")
        self.export_button.setToolTip(f"Save the results as CSV or JSON ({export_keys})")
        self.export_button.clicked.connect(self.export_dialog)
        add_shortcut(self, "Export results", EXPORT_KEYS, self.export_dialog)
        self.clear_button = QPushButton("Clear")
        self.clear_button.setToolTip("Remove all results")
        self.clear_button.clicked.connect(self.clear)

    def _connect_controls(self) -> None:
        controls = self.controls
        controls.said.connect(self.status.say)
        controls.inputs_given.connect(self._inputs_given)
        controls.queued.connect(self._queued)
        controls.results_given.connect(self._add_given)
        for title, keys, slot in controls.shortcuts():
            add_shortcut(self, title, keys, slot)
        self.top_k.valueChanged.connect(self._rerank)
        self.model_picker.currentIndexChanged.connect(self._model_changed)
        # picking the entry already shown (after typing a name that failed) changes no index
        self.model_picker.activated.connect(self._model_changed)
        self._model_changed()

    def _dataset_controls(self) -> DatasetRow:
        """Add to dataset, review, sort, undo, train: the row that turns results into data."""
        self.review_button = QPushButton("Review least sure")
        self.review_button.setCheckable(True)
        self.review_button.setToolTip(
            "Go through the results, least sure first, by keyboard: 1-9 and 0 a class, Enter the "
            "prediction, S skip (Ctrl+R)"
        )
        self.review_button.clicked.connect(self._toggle_review)
        add_shortcut(self, "Review least sure", "Ctrl+R", self.review_button.click)
        self.sort_button = QPushButton("Sort into folders…")
        self.sort_button.setToolTip("Copy or move the inputs into one folder per top label")
        self.sort_button.clicked.connect(self.sort_dialog)
        row = DatasetRow(
            self,
            self.curation.add_selected,
            self.curation.undo,
            self.train_on_dataset,
            add_tip="Copy the selected rows into a dataset's class folder",
            train_tip="Open the fine-tuning wizard on the dataset",
            undo_tip="Take back the last add or review decision",
            more=(self.review_button, self.sort_button, self._audit_button()),
        )
        row.train_button.setVisible(self.modality.trainable)
        return row

    def _audit_button(self) -> QPushButton:
        button = QPushButton("Audit…")
        button.setToolTip(
            "Look through the dataset for likely label errors, leaks, near duplicates and "
            "outliers, and refile them by key (Ctrl+Shift+A)"
        )
        button.clicked.connect(self.audit_dataset)
        add_shortcut(self, "Audit the dataset", "Ctrl+Shift+A", self.audit_dataset)
        self.audit_window: AuditWindow | None = None
        return button

    @Slot()
    def audit_dataset(self) -> None:
        """The dataset in use, audited in a window of its own."""
        folder = self.curation.folder()
        if not folder:
            self.status.say("Add some results to a dataset first: the audit looks through it.")
            return
        if self.audit_window is None:
            self.audit_window = AuditWindow(self, self.modality.task, self.settings.device)
            self.audit_window.changed.connect(lambda: self._show_dataset(self.curation.folder()))
        self.audit_window.open_on(folder)

    def _lay_out(self) -> None:
        splitter = QSplitter()
        splitter.addWidget(self.table)
        splitter.addWidget(self.bars)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)
        drop_layout = QVBoxLayout(self.drop_area)
        drop_layout.addWidget(self.hint)
        drop_layout.addWidget(splitter, 1)
        top = QHBoxLayout()
        top.addWidget(self.open_button)
        top.addLayout(self.controls.row, 1)
        top.addWidget(self.export_button)
        top.addWidget(self.clear_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(self.controls.below)
        layout.addWidget(self.dataset_row)
        layout.addWidget(self.curation.bar)
        layout.addWidget(self.drop_area, 1)
        layout.addWidget(self.status)

    def is_busy(self) -> bool:
        return self.jobs.is_busy() or self.controls.is_busy()

    def has_pending(self) -> bool:
        return bool(self._pending) or self.controls.has_pending()

    @Slot()
    def _model_changed(self) -> None:
        """The ready line names the model that is chosen, not the bundled one."""
        ready = self.controls.model_changed()
        self.hint.setText(self.controls.hint)
        if self._held:  # files that waited for a model that loads: try this one
            self._pending, self._held = self._held + self._pending, []
            self.start_pending()
            return
        if not self.is_busy():
            self.status.say(ready)
        self.preload()

    def device_choice(self) -> str:
        return self.controls.device.currentText()

    @Slot(list, bool)
    def _inputs_given(self, paths: list[str], reveal: bool) -> None:
        self._reveal = self._reveal or reveal
        self.add_paths(paths)

    @Slot(bool)
    def _queued(self, reveal: bool) -> None:
        self._reveal = self._reveal or reveal
        self.start_pending()

    @Slot(list)
    def add_paths(self, paths: list[str]) -> None:
        """Classify these files and folders now, or after the running job."""
        self._pending.extend(str(p) for p in paths)
        self.start_pending()

    def start_pending(self) -> None:
        if self.jobs.is_busy() or not self.has_pending():
            return
        try:
            request, label = self.controls.request(tuple(self._pending))
        except ValueError as exc:  # the inputs wait (for labels, say): nothing is dropped
            self.status.say(str(exc))
            return
        self._running, self._pending = self._pending, []
        self.hint.hide()
        self._running_model = self.model_picker.model_name() or self.modality.default_model
        self._running_threshold = unsure_below(self._running_model, self.modality.task)
        self.jobs.start(
            lazy_job(self.modality.run, request),
            label,
            on_done=self._summarise,
            on_failed=self._hold,
        )

    def _hold(self, exc: BaseException) -> None:
        """The job failed as a whole (its model would not load): its files wait for another
        model instead of vanishing."""
        self._held, self._running = self._held + self._running, []
        waiting = self.modality.count(len(self._held))
        self.status.say(f"{user_message(exc)} Waiting for a model that loads: {waiting}.")

    @Slot(bool)
    def _busy_changed(self, busy: bool) -> None:
        if not busy:
            self.status_message.emit("")  # the window's status bar keeps no stale "Loading…"
            self.start_pending()
        if not self.jobs.is_busy() and self._review_after is not None:
            limit, self._review_after = self._review_after, None
            QTimer.singleShot(0, lambda: self._choose_to_label(limit))

    def find_what_to_label(self, dataset: str, folder: str, limit: int) -> None:
        """Classify `folder` with the chosen model, then review `limit` of its files into
        `dataset`, the least sure of each group of look-alikes: active learning on a CPU."""
        self.curation.use_folder(dataset)
        self.clear()
        self._review_after = limit
        self.add_paths([folder])

    def _choose_to_label(self, limit: int) -> None:
        """A job embeds the classified files to spread the review over them (`pick`)."""
        results = self.table.results()

        def chosen(order: list[int], _seconds: float) -> None:
            if self.table.results() != results:
                self.status.say("The results changed: press Ctrl+R to review them.")
                return
            self.review_least_sure(limit, order)

        def failed(exc: BaseException) -> None:
            self.status.say(f"{user_message(exc)} Reviewing the least sure instead.")
            self.review_least_sure(limit)

        factory = lazy_job(
            "fmstudio.core.audit.pick:choose_to_label", results, task=self.modality.task, n=limit
        )
        if not self.jobs.start(
            factory, "Choosing what to label…", on_done=chosen, on_failed=failed
        ):
            self.review_least_sure(limit)

    @Slot(object)
    def _add_rows(self, event: Partial[ItemResult]) -> None:
        self._add_results(list(event.items), self._running_model, self._running_threshold)

    @Slot(list)
    def _add_given(self, results: list[ItemResult]) -> None:
        """The controls' own results, shown and selected (the user just made them)."""
        self._reveal = True
        model = self.model_picker.model_name() or self.modality.default_model
        self._add_results(results, model, unsure_below(model, self.modality.task))
        self.hint.hide()

    def _add_results(self, results: list[ItemResult], model: str, threshold: float) -> None:
        first = len(self.table.results())
        details = [self.controls.detail(r) for r in results]
        self.table.add_results(results, details, model, threshold)
        if self._reveal:
            self._reveal = False
            self.table.select_result(first)
        elif self.table.view.currentIndex().row() < 0 and self.table.visible_rows():
            self.table.select_row(0)

    def _summarise(self, result: list[ItemResult], elapsed_s: float) -> None:
        failed = sum(not r.ok for r in result)
        good = len(result) - failed
        text = f"{self.modality.count(good)} classified in {elapsed_s:.1f} s"
        if good > 1 and elapsed_s > 0:
            text += f" ({good / elapsed_s:.1f}/s)"  # a rate of one, or of none, says nothing
        text += f"; {failed} failed (see the red rows)." if failed else "."
        self.status.say(self.status.with_notes(text))

    @Slot()
    def _rerank(self) -> None:
        """Top-k also trims the ranking shown (more than were computed needs a new run)."""
        index = self.table.current_index()
        if index is not None:
            self._show_ranking(self.table.results()[index])

    @Slot(object)
    def _show_ranking(self, result: ItemResult) -> None:
        name = Path(result.path).name
        if result.ok:
            self.bars.show_predictions(name, result.predictions[: self.top_k.value()])
        else:
            self.bars.clear(f"{name}: {result.error}")

    @Slot()
    def export_dialog(self) -> None:
        if not self.table.results():
            self.status.say("Nothing to export yet.")
            return
        start = self.settings.export_start(f"{self.modality.task}-results.csv")
        target, _ = QFileDialog.getSaveFileName(
            self, "Export results", start, "CSV (*.csv);;JSON (*.json)"
        )
        if target:
            self.settings.export_folder = str(Path(target).parent)
            self.export_to(Path(target))

    def export_to(self, target: Path) -> None:
        try:
            export(trimmed(self.table.results(), self.top_k.value()), target)  # as shown
        except OSError as exc:
            self.status.say(f"Could not export to {target}: {exc.strerror or exc}")
            return
        self.status.say(f"Exported {len(self.table.results())} rows to {target}.")

    @Slot(str)
    def _show_dataset(self, folder: str) -> None:
        dataset = self.curation.dataset()
        if dataset is None:
            self.dataset_row.show_dataset("", "")
            return
        self.dataset_row.show_dataset(folder, counts_text(dataset))

    @Slot()
    def _toggle_review(self) -> None:
        if self.curation.is_reviewing():
            self.curation.stop_review()
        elif self.jobs.is_busy():
            self.status.say("Review starts when the classification has finished.")
        else:
            self.curation.start_review()
        self.review_button.setChecked(self.curation.is_reviewing())

    @Slot(bool)
    def _review_changed(self, reviewing: bool) -> None:
        self.review_button.setChecked(reviewing)
        self._show_dataset(self.curation.folder())

    def review_least_sure(self, limit: int | None = None, order: list[int] | None = None) -> bool:
        """Open review mode on the `limit` least sure results (all when None), or on
        `order`'s."""
        started = self.curation.start_review(limit, order)
        self.review_button.setChecked(started)
        return started

    @Slot()
    def train_on_dataset(self) -> None:
        if not self.modality.trainable:
            self.status.say(f"{self.modality.title} models cannot be trained yet.")
            return
        folder = self.curation.folder()
        if not folder:
            self.status.say("Add some results to a dataset first.")
            return
        self.train_requested.emit(self.modality.task, folder)

    @Slot()
    def sort_dialog(self) -> None:
        results = self.table.results()
        if not results or self.jobs.is_busy():
            self.status.say("Classify some files first, and let the classification finish.")
            return
        dialog = SortDialog(results, self.settings.sort_folder, self, self._running_threshold)
        if dialog.exec():
            options = dialog.options()
            self.settings.sort_folder = options.folder
            job = lazy_job("fmstudio.core.classify.sort:sort_results", results, options=options)
            self.jobs.start(job, "Sorting…", on_done=self._sorted)

    def _sorted(self, outcome: SortOutcome, _elapsed_s: float) -> None:
        text = f"Sorted: {format_counts(outcome.counts())}; manifest {outcome.manifest}."
        failed = len(outcome.failed) + len(outcome.unclassified)
        self.status.say(text + (f" {failed} stayed where they were." if failed else ""))

    @Slot()
    def clear(self) -> None:
        self.controls.clear()
        self.curation.forget_results()
        self.table.filter_edit.clear()  # a kept filter hid the rows a new run's summary named
        self.table.clear()
        self.bars.clear()
        self.hint.show()

    def shutdown(self, timeout_ms: int = 30_000) -> None:
        self._pending.clear()
        self.controls.shutdown(timeout_ms)
        self.jobs.shutdown(timeout_ms)
        if self.audit_window is not None:
            self.audit_window.shutdown(timeout_ms)
