"""What the main window needs of every tab, and the file dialog they share.

A tab runs its jobs through a `JobController` it owns; nothing here runs jobs.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal, Slot
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QFileDialog, QWidget

from fmstudio.core.config import Settings
from fmstudio.core.events import Activity, Log
from fmstudio.core.loading import preload
from fmstudio.core.modalities import Modality
from fmstudio.ui.jobs import JobController
from fmstudio.ui.widgets.model_picker import ModelPicker


class Tab(QWidget):
    """One modality's page: File > Open adds files, closing the window shuts its jobs down."""

    status_message = Signal(str)
    """A line for the window's status bar."""
    runtime_message = Signal(object)
    """The `Runtime` event of the tab's last job: how it computed, and why not faster."""
    """How the tab's last job computed (ONNX Runtime, bf16, PyTorch), kept in the status bar."""
    train_requested = Signal(str, str)
    """(task, dataset folder): open the fine-tuning wizard on a dataset this tab grew."""

    modality: Modality
    settings: Settings
    model_picker: ModelPicker

    _activity_shown = False

    def relay_job_lines(self, jobs: JobController) -> None:
        """The job's log lines go to the window's status bar; an activity ("Loading
        centernet-coco…") leaves it once the work shows progress (it stood there for the
        whole run, seen in the real window)."""
        jobs.logged.connect(self._relay_line)
        jobs.progress.connect(self._activity_over)

    @Slot(object)
    def _relay_line(self, event: Log) -> None:
        self._activity_shown = isinstance(event, Activity)
        self.status_message.emit(event.message)

    @Slot(object)
    def _activity_over(self, _event: object) -> None:
        if self._activity_shown:
            self._activity_shown = False
            self.status_message.emit("")

    def device_choice(self) -> str:
        """The device the tab's next job asks for ("auto", "cpu", "cuda"…)."""
        return self.settings.device

    @Slot()
    def preload(self) -> None:
        """Load the chosen model in the background, so the first drop finds it ready; a
        hidden tab waits until it is shown (`showEvent`)."""
        if not self.isVisible():
            return
        model = self.model_picker.model_name() or self.modality.default_model
        preload(model, self.modality.task, self.device_choice())

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.preload()

    def open_files(self) -> None:
        """File > Open… for this tab: remembers the folder, then hands the files on."""
        files, _ = QFileDialog.getOpenFileNames(
            self,
            f"Add {self.modality.noun}",
            self.settings.folder(f"open:{self.modality.task}"),
            self.modality.file_filter(),
        )
        if files:
            self.settings.remember_folder(f"open:{self.modality.task}", Path(files[0]).parent)
            self.add_paths(files)

    def add_folder(self) -> None:
        """File > Add folder…: a whole folder (walked for this tab's files), as a drop does."""
        folder = QFileDialog.getExistingDirectory(
            self,
            f"Add a folder of {self.modality.noun}",
            self.settings.folder(f"open:{self.modality.task}"),
        )
        if folder:
            self.settings.remember_folder(f"open:{self.modality.task}", folder)
            self.add_paths([folder])

    def add_paths(self, paths: list[str]) -> None:
        raise NotImplementedError

    def shutdown(self, timeout_ms: int = 30_000) -> None:
        """Stop every job and wait for it (the window is closing)."""
        raise NotImplementedError
