"""Export the wizard's training run as a job folder to run where the GPUs are: the CLI's
`train --export-job`, on a worker."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import QUrl, Slot
from PySide6.QtGui import QCloseEvent, QDesktopServices
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from fmstudio.core.config import Settings
from fmstudio.core.train.spec import TrainSpec
from fmstudio.ui.jobs import JobController, lazy_job
from fmstudio.ui.widgets.folder_field import FolderField
from fmstudio.ui.widgets.job_status import JobStatus

EXPORT_JOB = "fmstudio.core.train.job_folder:export_job"


class JobExportDialog(QDialog):
    """A folder (remembered) and whether to copy the data, then Export; Stop and Close cancel
    it and leave no half-written folder."""

    def __init__(self, settings: Settings, spec: TrainSpec, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.settings, self.spec = settings, spec
        self.setWindowTitle("Export as a training job")
        name = f"{Path(spec.data).stem or 'training'}-job"
        start = Path(settings.job_export_folder or Path.home()) / name
        self.folder = FolderField(str(start), "Write the job to", "a new folder")
        self.copy_data = QCheckBox("Copy the data into the job folder")
        self.copy_data.setChecked(settings.job_copy_data)
        self.copy_data.setToolTip(
            "Unticked, the job lists every file's hash and expects the data where it is now "
            "(a shared disk); ticked, the folder carries the data with it"
        )
        self.jobs = JobController(self)
        self.status = JobStatus(self.jobs, stop_key=None)  # Esc closes, which also stops
        self.status.say(
            "The folder holds the settings, the data's manifest and scripts for torchrun and "
            "Slurm (sbatch); its README says how to run it."
        )
        self.jobs.done.connect(self._exported)
        self.jobs.busy_changed.connect(self._busy)
        self.export_button = QPushButton("Export")
        self.export_button.setDefault(True)
        self.export_button.clicked.connect(self.start)
        self.open_button = QPushButton("Open folder")
        self.open_button.setEnabled(False)
        self.open_button.clicked.connect(self._open)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.addButton(self.export_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.open_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        form = QFormLayout()
        form.addRow("Folder:", self.folder)
        form.addRow("", self.copy_data)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.status)
        layout.addWidget(buttons)
        self.resize(640, 220)

    @Slot()
    def start(self) -> bool:
        folder = self.folder.text()
        if not folder:
            self.status.say("Choose a folder for the job.")
            return False
        self.open_button.setEnabled(False)
        spec = replace(self.spec, output=self.spec.output or Path(folder).name)
        job = lazy_job(EXPORT_JOB, spec, folder=Path(folder), copy_data=self.copy_data.isChecked())
        return self.jobs.start(job, "Writing the job folder…")

    @Slot(object, float)
    def _exported(self, result: object, _elapsed: float) -> None:
        folder = Path(str(result))
        self.status.say(f"Wrote {folder}. Run ./run-torchrun.sh there, or sbatch run-slurm.sbatch.")
        self.settings.job_export_folder = str(folder.parent)
        self.settings.job_copy_data = self.copy_data.isChecked()
        self.open_button.setEnabled(True)

    @Slot(bool)
    def _busy(self, busy: bool) -> None:
        for widget in (self.export_button, self.folder, self.copy_data):
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
