"""The wizard's Data page: choose a dataset folder (or a table) and see what the scan found."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from PySide6.QtCore import Slot
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWizardPage,
)

from fmstudio.core.data.split import VAL_SPLIT
from fmstudio.core.data.suffixes import TABLE_SUFFIXES
from fmstudio.core.modalities import CLASSIFIER, modality, trainable_tasks
from fmstudio.core.requests import Scan
from fmstudio.ui.jobs import JobController, lazy_job
from fmstudio.ui.widgets.audit_window import AuditWindow
from fmstudio.ui.widgets.job_dialog import JobDialog
from fmstudio.ui.widgets.job_status import JobStatus
from fmstudio.ui.widgets.ladder_dialog import LadderDialog
from fmstudio.ui.wizard.state import AnyReport, WizardState

D = TypeVar("D", bound=JobDialog)
MAX_SKIPPED_SHOWN = 200
TABLE_FILTER = "Tables (" + " ".join(f"*{s}" for s in sorted(TABLE_SUFFIXES)) + ")"


class DataPage(QWizardPage):
    def __init__(self, state: WizardState) -> None:
        super().__init__()
        self.state = state
        self.setTitle("Data")
        self.task = QComboBox()
        for task in trainable_tasks():
            self.task.addItem(f"{modality(task).title} {modality(task).trainee}", task)
        self.task.setCurrentIndex(max(0, self.task.findData(state.task)))
        self.task.currentIndexChanged.connect(self._task_changed)
        self.folder = QLineEdit()
        self.folder.editingFinished.connect(self.rescan)
        browse = QPushButton("Browse…")
        browse.setToolTip("Choose the dataset folder")
        browse.clicked.connect(self.browse)
        self.table_button = QPushButton("Table file…")
        self.table_button.setToolTip("For text: a CSV, TSV or JSONL file with a 'label' column")
        self.table_button.clicked.connect(self.browse_table)
        self.audit_button = QPushButton("&Audit…")
        self.audit_button.setToolTip(
            "Look for likely label errors, near duplicates, leaks between train/ and val/ and "
            "outliers, with the task's model (the first audit of a folder embeds every file)"
        )
        self.audit_button.clicked.connect(self.audit)
        self.audit_window: AuditWindow | None = None
        self.ladder_button = QPushButton("&Worth training?…")
        self.ladder_button.setToolTip(
            "On the same held-out files: zero-shot (texts), a probe on frozen embeddings, head "
            "mode and full fine-tuning, each with accuracy, macro-F1 and minutes"
        )
        self.ladder_button.clicked.connect(self.measure_ladder)
        self.ladder_dialog: LadderDialog | None = None
        row = QHBoxLayout()
        row.addWidget(self.folder, 1)
        row.addWidget(browse)
        row.addWidget(self.table_button)
        row.addWidget(self.audit_button)
        row.addWidget(self.ladder_button)
        self.report_view = QPlainTextEdit()
        self.report_view.setReadOnly(True)
        self.report_view.setPlaceholderText("The data check appears here.")
        self.jobs = JobController(self)
        self.jobs.done.connect(self._scanned)
        self.jobs.busy_changed.connect(self._busy_changed)
        self._stale = False
        """The folder or the task changed while a check ran: check again when it ends."""
        form = QFormLayout()
        form.addRow("Task:", self.task)
        form.addRow("Data:", row)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.report_view, 1)
        self.status = JobStatus(self.jobs)
        layout.addWidget(self.status)
        self._task_changed()

    @Slot()
    def _task_changed(self) -> None:
        self.state.choose_task(str(self.task.currentData()))
        self.setSubTitle(modality(self.state.task).dataset_hint)
        self.folder.setPlaceholderText(modality(self.state.task).family.dataset)
        self.table_button.setVisible(modality(self.state.task).accepts_tables)
        self.audit_button.setVisible(modality(self.state.task).family is CLASSIFIER)
        self.ladder_button.setVisible(modality(self.state.task).family is CLASSIFIER)
        if self.folder.text().strip():
            self.rescan()

    @Slot()
    def browse(self) -> None:
        start = self.folder.text() or self.state.settings.folder(f"data:{self.state.task}")
        chosen = QFileDialog.getExistingDirectory(self, "Dataset folder", start)
        if chosen:
            self.set_folder(chosen)

    @Slot()
    def browse_table(self) -> None:
        start = self.state.settings.folder(f"data:{self.state.task}")
        chosen, _ = QFileDialog.getOpenFileName(self, "Text dataset", start, TABLE_FILTER)
        if chosen:
            self.set_folder(chosen)

    def set_folder(self, folder: str) -> None:
        self.folder.setText(folder)
        path = Path(folder)
        where = path if path.is_dir() else path.parent
        self.state.settings.remember_folder(f"data:{self.state.task}", where)
        self.rescan()

    @Slot()
    def rescan(self) -> None:
        folder = self.folder.text().strip()
        if not folder:
            return
        if self.jobs.is_busy():
            self._stale = True
            self.jobs.stop()
            return
        self.state.report = None
        self.report_view.setPlainText("Checking…")
        split = 0.0 if self.state.evaluate_only else VAL_SPLIT
        scan = modality(self.state.task).scan
        self.jobs.start(lazy_job(scan, Scan(folder, self.state.task, split)), "Checking…")
        self.completeChanged.emit()

    @Slot(bool)
    def _busy_changed(self, busy: bool) -> None:
        if not busy and self._stale:
            self._stale = False
            self.rescan()
        elif not busy and self.state.report is not None and not self.isComplete():
            self.status.refuse("This data cannot be used yet: the check above says why.")
        self.completeChanged.emit()

    @Slot(object, float)
    def _scanned(self, report: AnyReport, _elapsed: float) -> None:
        if self._stale:
            return  # a check of what the page showed before: another one follows
        self.state.report = report
        lines = [report.summary(evaluating=self.state.evaluate_only)]
        if report.skipped:
            lines.append("\nSkipped files:")
            lines += [f"  {s.path}: {s.reason}" for s in report.skipped[:MAX_SKIPPED_SHOWN]]
            if len(report.skipped) > MAX_SKIPPED_SHOWN:
                lines.append(f"  … and {len(report.skipped) - MAX_SKIPPED_SHOWN} more")
        self.report_view.setPlainText("\n".join(lines))
        self.completeChanged.emit()

    @Slot()
    def audit(self) -> None:
        """Audit the checked folder in a window of its own: the page stays usable meanwhile,
        and files refiled there are checked again here."""
        self.audit_window = self._open(self.audit_window, self._new_audit_window)

    def _new_audit_window(self, task: str, device: str) -> AuditWindow:
        window = AuditWindow(self, task, device)
        window.changed.connect(self.rescan)
        return window

    @Slot()
    def measure_ladder(self) -> None:
        """Each step's figures on the checked folder, in a window of their own."""
        self.ladder_dialog = self._open(
            self.ladder_dialog, lambda task, device: LadderDialog(self, task, device)
        )

    def _open(self, current: D | None, make: Callable[[str, str], D]) -> D | None:
        """`current` (or, for another task, a new window) opened on the checked folder."""
        report = self.state.report
        if report is None or not report.ok:
            self.status.say("Choose a folder the check accepts first.")
            return current
        if current is None or current.task != self.state.task:
            if current is not None:
                current.shutdown()
            current = make(self.state.task, self.state.settings.device)
        current.open_on(report.root)
        return current

    def isComplete(self) -> bool:
        report = self.state.report
        if self.jobs.is_busy() or report is None:
            return False
        return bool(report.train or report.val) if self.state.evaluate_only else report.ok

    def cleanupPage(self) -> None:
        self.jobs.wait_stopped()

    def shutdown(self) -> None:
        self.jobs.shutdown()
        for window in (self.audit_window, self.ladder_dialog):
            if window is not None:
                window.shutdown()
