"""The frame of a dialog that writes one folder on a worker (a model export, a training job):
its fields, a status line, and Export, Open folder and Close. Close (and Esc) stop the job and
wait for it, so no thread outlives the dialog."""

from __future__ import annotations

from PySide6.QtCore import QUrl, Slot
from PySide6.QtGui import QCloseEvent, QDesktopServices
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from fmstudio.ui.jobs import JobController
from fmstudio.ui.widgets.folder_field import FolderField
from fmstudio.ui.widgets.job_status import JobStatus


class FolderJobDialog(QDialog):
    """Subclasses make `folder` and their other fields, call `lay_out`, and connect Export to
    their `start`; `jobs.done` goes to their own slot, which enables Open folder."""

    folder: FolderField

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.jobs = JobController(self)
        self.status = JobStatus(self.jobs, stop_key=None)  # Esc closes, which also stops
        self.jobs.busy_changed.connect(self._busy)
        self.export_button = QPushButton("Export")
        self.export_button.setDefault(True)
        self.open_button = QPushButton("Open folder")
        self.open_button.setEnabled(False)
        self.open_button.clicked.connect(self._open)
        self._inputs: list[QWidget] = [self.export_button]

    def lay_out(self, rows: list[tuple[str, QWidget]], height: int) -> None:
        """The fields (disabled while the job runs), the status line and the buttons."""
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.addButton(self.export_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.open_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        form = QFormLayout()
        for label, widget in rows:
            form.addRow(label, widget)
            self._inputs.append(widget)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.status)
        layout.addWidget(buttons)
        self.resize(640, height)

    @Slot(bool)
    def _busy(self, busy: bool) -> None:
        for widget in self._inputs:
            widget.setEnabled(not busy)

    @Slot()
    def _open(self) -> None:
        QDesktopServices.openUrl(QUrl.fromLocalFile(self.folder.text()))

    def closeEvent(self, event: QCloseEvent) -> None:
        self.jobs.shutdown()
        super().closeEvent(event)

    def reject(self) -> None:
        self.jobs.shutdown()
        super().reject()
