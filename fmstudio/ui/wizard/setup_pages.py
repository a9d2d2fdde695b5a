"""The wizard's first pages: pick the data, the base model and mode, and the settings."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWizardPage,
)

from fmstudio.core.data.folders import DatasetReport, scan_job
from fmstudio.core.train.spec import CPU_FULL_LIMIT, TrainSpec
from fmstudio.ui.tabs.base import TaskTab
from fmstudio.ui.widgets.controls import device_combo
from fmstudio.ui.widgets.model_picker import ModelPicker

if TYPE_CHECKING:
    from fmstudio.ui.wizard.wizard import FineTuneWizard

MAX_SKIPPED_SHOWN = 200


class JobPanel(TaskTab):
    """A page's progress bar, status line and Stop, with the job's outcome as signals."""

    done = Signal(object)
    failed = Signal(object)
    event = Signal(object)

    def on_done(self, result: object, elapsed_s: float) -> None:
        super().on_done(result, elapsed_s)
        self.progress.setFormat("Done")
        self.done.emit(result)

    def on_error(self, exc: BaseException) -> None:
        self.failed.emit(exc)

    def on_event(self, event: object) -> None:
        self.event.emit(event)


class DataPage(QWizardPage):
    def __init__(self, wizard: FineTuneWizard) -> None:
        super().__init__()
        self.wiz = wizard
        self.setTitle("Data")
        self.setSubTitle(
            "Choose a folder with one sub-folder per class (or train/ and val/ folders of "
            "those). For text, a CSV/TSV/JSONL file with text and label columns works too."
        )
        self.task = QComboBox()
        self.task.addItem("Image classifier", "image")
        self.task.addItem("Text classifier", "text")
        self.task.setCurrentIndex(0 if wizard.task == "image" else 1)
        self.task.currentIndexChanged.connect(self._task_changed)
        self.folder = QLineEdit()
        self.folder.setPlaceholderText("a folder of class folders")
        self.folder.editingFinished.connect(self.rescan)
        browse = QPushButton("Browse…")
        browse.setToolTip("Choose the dataset folder")
        browse.clicked.connect(self.browse)
        self.table_button = QPushButton("Table file…")
        self.table_button.setToolTip("For text: a CSV, TSV or JSONL file with a 'label' column")
        self.table_button.clicked.connect(self.browse_table)
        row = QHBoxLayout()
        row.addWidget(self.folder, 1)
        row.addWidget(browse)
        row.addWidget(self.table_button)
        self.report_view = QPlainTextEdit()
        self.report_view.setReadOnly(True)
        self.report_view.setPlaceholderText("The data check appears here.")
        self.panel = JobPanel(self)
        self.panel.done.connect(self._scanned)
        self.panel.busy_changed.connect(lambda _busy: self.completeChanged.emit())
        form = QFormLayout()
        form.addRow("Task:", self.task)
        form.addRow("Data:", row)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.report_view, 1)
        layout.addWidget(self.panel.progress)
        layout.addWidget(self.panel.status)
        self._task_changed()

    @Slot()
    def _task_changed(self) -> None:
        self.wiz.task = str(self.task.currentData())
        self.table_button.setVisible(self.wiz.task == "text")
        if self.folder.text().strip():
            self.rescan()

    @Slot()
    def browse(self) -> None:
        start = self.folder.text() or self.wiz.settings.last_folder or str(Path.home())
        chosen = QFileDialog.getExistingDirectory(self, "Dataset folder", start)
        if chosen:
            self.set_folder(chosen)

    @Slot()
    def browse_table(self) -> None:
        start = self.wiz.settings.last_folder or str(Path.home())
        chosen, _ = QFileDialog.getOpenFileName(
            self, "Text dataset", start, "Tables (*.csv *.tsv *.jsonl *.ndjson)"
        )
        if chosen:
            self.set_folder(chosen)

    def set_folder(self, folder: str) -> None:
        self.folder.setText(folder)
        path = Path(folder)
        self.wiz.settings.last_folder = str(path if path.is_dir() else path.parent)
        self.rescan()

    @Slot()
    def rescan(self) -> None:
        folder = self.folder.text().strip()
        if not folder or self.panel.is_busy():
            return
        self.wiz.report = None
        self.report_view.setPlainText("Checking…")
        task = self.wiz.task
        split = 0.0 if self.wiz.evaluate_only else 0.2
        self.panel.start_job(lambda _t: scan_job(folder, task, split), "Checking the data…")
        self.completeChanged.emit()

    @Slot(object)
    def _scanned(self, report: DatasetReport) -> None:
        self.wiz.report = report
        lines = [report.summary()]
        if report.skipped:
            lines.append("\nSkipped files:")
            lines += [f"  {s.path}: {s.reason}" for s in report.skipped[:MAX_SKIPPED_SHOWN]]
            if len(report.skipped) > MAX_SKIPPED_SHOWN:
                lines.append(f"  … and {len(report.skipped) - MAX_SKIPPED_SHOWN} more")
        self.report_view.setPlainText("\n".join(lines))
        self.completeChanged.emit()

    def isComplete(self) -> bool:
        report = self.wiz.report
        if self.panel.is_busy() or report is None:
            return False
        return bool(report.train or report.val) if self.wiz.evaluate_only else report.ok

    def cleanupPage(self) -> None:
        self.panel.shutdown()


class ModelPage(QWizardPage):
    def __init__(self, wizard: FineTuneWizard) -> None:
        super().__init__()
        self.wiz = wizard
        self.setTitle("Model")
        self.picker = ModelPicker(wizard.task)
        self.mode = QComboBox()
        self.mode.addItem("auto: choose from the data size and the device", "auto")
        self.mode.addItem("head: train a classifier on frozen features (seconds)", "head")
        self.mode.addItem("full: fine-tune the whole network (best, slower)", "full")
        self.mode.setToolTip("How much of the network to train")
        self.explain = QLabel()
        self.explain.setWordWrap(True)
        form = QFormLayout(self)
        form.addRow("Base model:" if not wizard.evaluate_only else "Model:", self.picker)
        if not wizard.evaluate_only:
            form.addRow("Mode:", self.mode)
        form.addRow(self.explain)

    def initializePage(self) -> None:
        report = self.wiz.report
        self.picker.task = self.wiz.task
        self.picker.refresh(self.wiz.initial_model or "")
        if self.wiz.evaluate_only:
            self.setSubTitle("The model to evaluate on the chosen folder.")
            return
        self.setSubTitle("The pretrained model to start from, and how much of it to train.")
        n = len(report.train) if report else 0
        limit = CPU_FULL_LIMIT[self.wiz.task]
        self.explain.setText(
            f"You have {n} training examples. Auto fine-tunes the whole network on a GPU, or on "
            f"the CPU up to {limit} examples; otherwise it trains a head on frozen features."
        )


class SettingsPage(QWizardPage):
    def __init__(self, wizard: FineTuneWizard) -> None:
        super().__init__()
        self.wiz = wizard
        self.setTitle("Settings")
        self.setSubTitle("The defaults work without tuning; each field explains itself.")
        self.epochs = QSpinBox()
        self.epochs.setRange(0, 1000)
        self.epochs.setSpecialValueText("auto")
        self.epochs.setToolTip("Passes over the training data (auto: 60 head, 8 full)")
        self.batch = QSpinBox()
        self.batch.setRange(1, 1024)
        self.batch.setToolTip("Examples per step; lower it if memory runs out")
        self.lr = QDoubleSpinBox()
        self.lr.setDecimals(6)
        self.lr.setRange(0.0, 1.0)
        self.lr.setSingleStep(1e-4)
        self.lr.setSpecialValueText("auto")
        self.lr.setToolTip("Peak learning rate after warm-up (auto: per mode and task)")
        self.augment = QCheckBox("Random crops, flips and colour changes")
        self.augment.setChecked(True)
        self.augment.setToolTip("Image augmentation: the model sees varied copies of each image")
        self.val_split = QDoubleSpinBox()
        self.val_split.setRange(0.0, 0.9)
        self.val_split.setSingleStep(0.05)
        self.val_split.setToolTip("Share of each class held out to validate (stratified)")
        self.patience = QSpinBox()
        self.patience.setRange(-1, 100)
        self.patience.setSpecialValueText("auto")
        self.patience.setToolTip("Stop after this many epochs without improvement (0: never)")
        self.device = device_combo(wizard.settings)
        self.seed = QSpinBox()
        self.seed.setRange(0, 2**31 - 1)
        self.seed.setToolTip("The same seed and data give the same model on the CPU")
        form = QFormLayout(self)
        form.addRow("Epochs:", self.epochs)
        form.addRow("Batch size:", self.batch)
        form.addRow("Learning rate:", self.lr)
        form.addRow("Augmentation:", self.augment)
        form.addRow("Validation split:", self.val_split)
        form.addRow("Early stopping:", self.patience)
        form.addRow("Device:", self.device)
        form.addRow("Seed:", self.seed)

    def initializePage(self) -> None:
        """Defaults from the data: a batch that fits the training set, its split kept."""
        report = self.wiz.report
        n = len(report.train) if report else 0
        self.batch.setValue(max(2, min(16, n // 2)) if n else 16)
        self.val_split.setValue(0.2)
        self.val_split.setEnabled(report is None or report.split != "folders")
        self.augment.setEnabled(self.wiz.task == "image")
        self.epochs.setValue(0)
        self.lr.setValue(0.0)
        self.patience.setValue(-1)

    def spec(self, output: str) -> TrainSpec:
        report = self.wiz.report
        assert report is not None
        return TrainSpec(
            task=self.wiz.task,
            data=report.root,
            output=output,
            base=self.wiz.model_page.picker.model_name() or None,
            mode=str(self.wiz.model_page.mode.currentData()),
            epochs=self.epochs.value() or None,
            batch_size=self.batch.value(),
            lr=self.lr.value() or None,
            val_split=round(self.val_split.value(), 3),
            seed=self.seed.value(),
            device=self.device.currentText(),
            augment=self.augment.isChecked(),
            early_stopping=None if self.patience.value() < 0 else self.patience.value(),
        )
