"""Export a model as ONNX or TorchScript from the window: the CLI's `export`, on a worker."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Slot
from PySide6.QtWidgets import QComboBox, QWidget

from fmstudio.core.config import Settings
from fmstudio.core.requests import Export
from fmstudio.ui.jobs import lazy_job
from fmstudio.ui.widgets.folder_field import FolderField
from fmstudio.ui.widgets.folder_job_dialog import FolderJobDialog

EXPORT = "fmstudio.core.export.job:export_model"
FORMATS = (
    ("ONNX: runs in ONNX Runtime (Python, C++, C#, Java, JavaScript)", "onnx"),
    ("TorchScript: loads with torch.jit.load", "torchscript"),
)


class ModelExportDialog(FolderJobDialog):
    """Format and folder (both remembered), then Export: checked against PyTorch, and the
    folder gets a README that shows how to run it without fmstudio."""

    def __init__(
        self,
        settings: Settings,
        task: str,
        model: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(f"Export {Path(model).name}", parent)
        self.settings, self.task, self.model = settings, task, model
        self.format = QComboBox()
        for text, key in FORMATS:
            self.format.addItem(text, key)
        self.format.setCurrentIndex(max(0, self.format.findData(settings.model_export_format)))
        self.format.currentIndexChanged.connect(self._follow_format)
        self.folder = FolderField(
            str(self._default_folder()), "Export to", "a new folder (an earlier export is replaced)"
        )
        self.status.stop_button.hide()  # an export cannot stop halfway; Close waits for it
        self.status.say("The export is compared with PyTorch before the folder appears.")
        self.jobs.done.connect(self._exported)
        self.export_button.clicked.connect(self.start)
        self.lay_out([("Format:", self.format), ("Folder:", self.folder)], 200)

    def fmt(self) -> str:
        return str(self.format.currentData())

    def _default_folder(self) -> Path:
        parent = Path(self.settings.model_export_folder or Path.home())
        return parent / f"{Path(self.model).name}-{self.fmt()}"

    @Slot()
    def _follow_format(self) -> None:
        """`flowers-onnx` becomes `flowers-torchscript` with the format, if not renamed."""
        current = Path(self.folder.text())
        for _, key in FORMATS:
            if current.name.endswith(f"-{key}"):
                stem = current.name.removesuffix(f"-{key}")
                self.folder.setText(str(current.with_name(f"{stem}-{self.fmt()}")))
                return

    @Slot()
    def start(self) -> bool:
        folder = self.folder.text()
        if not folder:
            self.status.say("Choose a folder to export to.")
            return False
        self.open_button.setEnabled(False)
        request = Export(self.model, self.fmt(), folder, self.task)
        return self.jobs.start(lazy_job(EXPORT, request), f"Exporting to {self.fmt()}…")

    @Slot(object, float)
    def _exported(self, result: object, _elapsed: float) -> None:
        folder = Path(str(getattr(result, "folder", self.folder.text())))
        difference = float(getattr(result, "largest_difference", 0.0))
        self.status.say(
            f"Exported to {folder}: same answers as PyTorch (largest difference "
            f"{difference:.1e}). Its README.md shows how to run it."
        )
        self.settings.model_export_format = self.fmt()
        self.settings.model_export_folder = str(folder.parent)
        self.open_button.setEnabled(True)
