"""The wizard's Save page: name the model, export it, find what to label next."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWizardPage,
)

from fmstudio.core.catalog import is_frozen
from fmstudio.core.data.report import ScanReport
from fmstudio.core.errors import FmError
from fmstudio.core.library import check_replaceable, output_folder, publish
from fmstudio.core.modalities import exportable_tasks, modality
from fmstudio.ui.errors import user_message
from fmstudio.ui.wizard.state import WizardState


def default_name(report: ScanReport | None, task: str) -> str:
    """The dataset's folder and the task ("flowers-image"); a dataset named after what it is
    for ("train", "data", "dataset") gives its parent's name ("my-voice-speech", not
    "train-speech")."""
    if report is None:
        return f"model-{task}"
    root = Path(report.root)
    generic = {"train", "training", "data", "dataset", "clips", "audio", "images", "texts"}
    stem = root.parent.name if root.stem.lower() in generic and root.parent.name else root.stem
    return f"{stem}-{task}"


class SavePage(QWizardPage):
    saved = Signal(str, str)
    """(task, name) once the model is in the library."""
    label_next = Signal(str, str, str, str, int)
    """(task, model, dataset, unlabelled folder, n): classify the folder with the new model
    and review its n least sure files into the dataset."""
    export_requested = Signal(str, str)
    """(task, name): open the export dialog on the saved model."""

    def __init__(self, state: WizardState) -> None:
        super().__init__()
        self.state = state
        self.setTitle("Save")
        self.setSubTitle("Name the model; it goes into your library and the tabs list it at once.")
        self.name = QLineEdit()
        self.name.setToolTip("Letters, digits, spaces, '.', '-' and '_'")
        self.name.textChanged.connect(self._check)
        self.where = QLabel()
        self.where.setWordWrap(True)
        self.next_box = self._label_next_box()
        self.export_after = QCheckBox("Then export it for deployment (ONNX or TorchScript)…")
        self.export_after.setToolTip(
            "After saving, open the export dialog: the model as ONNX or TorchScript, checked "
            "against PyTorch, with a README that shows how to run it without fmstudio"
        )
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Name:"))
        layout.addWidget(self.name)
        layout.addWidget(self.where)
        layout.addWidget(self.export_after)
        layout.addWidget(self.next_box)
        layout.addStretch(1)

    def _label_next_box(self) -> QGroupBox:
        """Active learning: what the new model is least sure of is what to label next."""
        box = QGroupBox("Then find what to label next")
        box.setCheckable(True)
        box.setChecked(False)
        box.setToolTip(
            "Classify a folder of unlabelled files with the new model and review the ones it "
            "is least sure of, spread over the folder, into this dataset; then retrain"
        )
        self.unlabelled = QLineEdit()
        self.unlabelled.setPlaceholderText("a folder of unlabelled files")
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._browse_unlabelled)
        self.how_many = QSpinBox()
        self.how_many.setRange(1, 10_000)
        self.how_many.setValue(20)
        self.how_many.setToolTip(
            "How many files to review: the folder is split into this many groups of "
            "look-alikes, and each gives the file the new model is least sure of"
        )
        self.unlabelled.textChanged.connect(self.completeChanged)
        box.toggled.connect(self.completeChanged)
        form = QFormLayout(box)
        row = QHBoxLayout()
        row.addWidget(self.unlabelled, 1)
        row.addWidget(browse)
        form.addRow("Folder:", row)
        form.addRow("Files to review:", self.how_many)
        return box

    @Slot()
    def _browse_unlabelled(self) -> None:
        purpose = f"unlabelled:{self.state.task}"
        start = self.unlabelled.text() or self.state.settings.folder(purpose)
        chosen = QFileDialog.getExistingDirectory(self, "Unlabelled files", start)
        if chosen:
            self.state.settings.remember_folder(purpose, chosen)
            self.unlabelled.setText(chosen)

    def initializePage(self) -> None:
        report = self.state.report
        self.name.setText(self.state.previous_model or default_name(report, self.state.task))
        labels_next = modality(self.state.task).family.labels_next
        self.next_box.setVisible(labels_next and report is not None and Path(report.root).is_dir())
        task = self.state.task
        exportable = task in exportable_tasks() and not is_frozen(self.state.model, task)
        self.export_after.setVisible(exportable)

    @Slot()
    def _check(self) -> None:
        try:
            target = output_folder(self.name.text())
            check_replaceable(target)
        except FmError as exc:
            self.where.setText(user_message(exc))
        else:
            replace = " (a model with this name exists and will be replaced)"
            self.where.setText(f"Saves to {target}{replace if target.exists() else ''}")
        self.completeChanged.emit()

    def isComplete(self) -> bool:
        try:
            check_replaceable(output_folder(self.name.text()))
        except FmError:
            return False
        if self._labelling_next():
            folder = self.unlabelled.text().strip()
            return bool(folder) and Path(folder).expanduser().is_dir()
        return True

    def _labelling_next(self) -> bool:
        return not self.next_box.isHidden() and self.next_box.isChecked()

    def validatePage(self) -> bool:
        staging = self.state.staging
        if staging is None:
            return False
        try:
            target = publish(staging, self.name.text())
        except (OSError, FmError) as exc:
            self.where.setText(f"Could not save: {exc}")
            return False
        self.state.staging = None
        self.saved.emit(self.state.task, target.name)
        if not self.export_after.isHidden() and self.export_after.isChecked():
            self.export_requested.emit(self.state.task, target.name)
        report = self.state.report
        if report is not None and self._labelling_next():
            folder = self.unlabelled.text().strip()
            self.label_next.emit(
                self.state.task, target.name, report.root, folder, self.how_many.value()
            )
        return True
