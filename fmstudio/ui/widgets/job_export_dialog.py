"""Export the wizard's training run as a job folder to run where the GPUs are: the CLI's
`train --export-job`, on a worker."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import Slot
from PySide6.QtWidgets import QCheckBox, QWidget

from fmstudio.core.config import Settings
from fmstudio.core.train.spec import TrainSpec
from fmstudio.ui.jobs import lazy_job
from fmstudio.ui.widgets.folder_field import FolderField
from fmstudio.ui.widgets.folder_job_dialog import FolderJobDialog

EXPORT_JOB = "fmstudio.core.train.job_folder:export_job"


class JobExportDialog(FolderJobDialog):
    """A folder (remembered) and whether to copy the data, then Export; Stop and Close cancel
    it and leave no half-written folder."""

    def __init__(self, settings: Settings, spec: TrainSpec, parent: QWidget | None = None) -> None:
        super().__init__("Export as a training job", parent)
        self.settings, self.spec = settings, spec
        name = f"{Path(spec.data).stem or 'training'}-job"
        start = Path(settings.job_export_folder or Path.home()) / name
        self.folder = FolderField(str(start), "Write the job to", "a new folder")
        self.copy_data = QCheckBox("Copy the data into the job folder")
        self.copy_data.setChecked(settings.job_copy_data)
        self.copy_data.setToolTip(
            "Unticked, the job lists every file's hash and expects the data where it is now "
            "(a shared disk); ticked, the folder carries the data with it"
        )
        self.status.say(
            "The folder holds the settings, the data's manifest and scripts for torchrun and "
            "Slurm (sbatch); its README says how to run it."
        )
        self.jobs.done.connect(self._exported)
        self.export_button.clicked.connect(self.start)
        self.lay_out([("Folder:", self.folder), ("", self.copy_data)], 220)

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
