"""The wizard's first pages: pick the data, the base model and mode, and the settings."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Slot
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

from fmstudio.core.data.split import VAL_SPLIT
from fmstudio.core.data.suffixes import TABLE_SUFFIXES
from fmstudio.core.modalities import modality, trainable_tasks
from fmstudio.core.requests import Scan
from fmstudio.core.train.spec import (
    TrainSpec,
    auto_policy,
    default_batch,
    defaults_help,
)
from fmstudio.ui.jobs import JobController, lazy_job
from fmstudio.ui.widgets.controls import device_combo
from fmstudio.ui.widgets.job_export_dialog import JobExportDialog
from fmstudio.ui.widgets.job_status import JobStatus
from fmstudio.ui.widgets.model_picker import ModelPicker
from fmstudio.ui.wizard.state import AnyReport, WizardState

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
        row = QHBoxLayout()
        row.addWidget(self.folder, 1)
        row.addWidget(browse)
        row.addWidget(self.table_button)
        self.report_view = QPlainTextEdit()
        self.report_view.setReadOnly(True)
        self.report_view.setPlaceholderText("The data check appears here.")
        self.jobs = JobController(self)
        self.jobs.done.connect(self._scanned)
        self.jobs.busy_changed.connect(self.completeChanged)
        form = QFormLayout()
        form.addRow("Task:", self.task)
        form.addRow("Data:", row)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.report_view, 1)
        layout.addWidget(JobStatus(self.jobs))
        self._task_changed()

    @Slot()
    def _task_changed(self) -> None:
        self.state.task = str(self.task.currentData())
        self.setSubTitle(modality(self.state.task).dataset_hint)
        self.folder.setPlaceholderText(
            "a folder of clips with transcripts"
            if modality(self.state.task).transcribes
            else "a folder of class folders"
        )
        self.table_button.setVisible(modality(self.state.task).accepts_tables)
        if self.folder.text().strip():
            self.rescan()

    @Slot()
    def browse(self) -> None:
        start = self.folder.text() or self.state.settings.last_folder or str(Path.home())
        chosen = QFileDialog.getExistingDirectory(self, "Dataset folder", start)
        if chosen:
            self.set_folder(chosen)

    @Slot()
    def browse_table(self) -> None:
        start = self.state.settings.last_folder or str(Path.home())
        chosen, _ = QFileDialog.getOpenFileName(self, "Text dataset", start, TABLE_FILTER)
        if chosen:
            self.set_folder(chosen)

    def set_folder(self, folder: str) -> None:
        self.folder.setText(folder)
        path = Path(folder)
        self.state.settings.last_folder = str(path if path.is_dir() else path.parent)
        self.rescan()

    @Slot()
    def rescan(self) -> None:
        folder = self.folder.text().strip()
        if not folder or self.jobs.is_busy():
            return
        self.state.report = None
        self.report_view.setPlainText("Checking…")
        split = 0.0 if self.state.evaluate_only else VAL_SPLIT
        scan = modality(self.state.task).scan
        self.jobs.start(lazy_job(scan, Scan(folder, self.state.task, split)), "Checking…")
        self.completeChanged.emit()

    @Slot(object, float)
    def _scanned(self, report: AnyReport, _elapsed: float) -> None:
        self.state.report = report
        lines = [report.summary(evaluating=self.state.evaluate_only)]
        if report.skipped:
            lines.append("\nSkipped files:")
            lines += [f"  {s.path}: {s.reason}" for s in report.skipped[:MAX_SKIPPED_SHOWN]]
            if len(report.skipped) > MAX_SKIPPED_SHOWN:
                lines.append(f"  … and {len(report.skipped) - MAX_SKIPPED_SHOWN} more")
        self.report_view.setPlainText("\n".join(lines))
        self.completeChanged.emit()

    def isComplete(self) -> bool:
        report = self.state.report
        if self.jobs.is_busy() or report is None:
            return False
        return bool(report.train or report.val) if self.state.evaluate_only else report.ok

    def cleanupPage(self) -> None:
        self.jobs.wait_stopped()


class ModelPage(QWizardPage):
    def __init__(self, state: WizardState) -> None:
        super().__init__()
        self.state = state
        self.setTitle("Model")
        self.picker = ModelPicker(state.task)
        self.mode = QComboBox()
        self.mode.addItem("auto: choose from the data size and the device", "auto")
        self.mode.addItem("head: train a classifier on frozen features (seconds)", "head")
        self.mode.addItem("full: fine-tune the whole network (best, slower)", "full")
        self.mode.setToolTip("How much of the network to train")
        self.explain = QLabel()
        self.explain.setWordWrap(True)
        self.form = QFormLayout(self)
        self.form.addRow("Base model:" if not state.evaluate_only else "Model:", self.picker)
        if not state.evaluate_only:
            self.form.addRow("Mode:", self.mode)
        self.form.addRow(self.explain)

    def initializePage(self) -> None:
        self.picker.task = self.state.task
        self.picker.refresh(self.state.model)
        if self.state.evaluate_only:
            self.setSubTitle("The model to evaluate on the chosen folder.")
            return
        self.setSubTitle("The pretrained model to start from, and how much of it to train.")
        self.mode.setCurrentIndex(max(0, self.mode.findData(self.state.mode)))
        full_only = "head" not in modality(self.state.task).defaults().modes
        self.form.setRowVisible(self.mode, not full_only)
        if full_only:
            self.mode.setCurrentIndex(self.mode.findData("auto"))
        report = self.state.report
        self.explain.setText(auto_policy(self.state.task, len(report.train) if report else 0))

    def validatePage(self) -> bool:
        self.state.model = self.picker.model_name()
        self.state.mode = str(self.mode.currentData())
        return True


class SettingsPage(QWizardPage):
    def __init__(self, state: WizardState) -> None:
        super().__init__()
        self.state = state
        self.setTitle("Settings")
        self.setSubTitle("The defaults work without tuning; each field explains itself.")
        self.epochs = _spin(0, 1000, "auto")
        self.epochs.setToolTip(f"Passes over the training data (auto: {defaults_help('epochs')})")
        self.batch = _spin(1, 1024)
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
        self.val_split.setToolTip(
            "Share held out to validate (per class for classifiers): it picks the best epoch"
        )
        self.patience = _spin(-1, 100, "auto")
        self.patience.setToolTip("Stop after this many epochs without improvement (0: never)")
        self.device = device_combo(state.settings)
        self.seed = _spin(0, 2**31 - 1)
        self.seed.setToolTip("The same seed and data give the same model on the CPU")
        self.export_button = QPushButton("Export as a job…")
        self.export_button.setToolTip(
            "Write these settings, the data and torchrun/Slurm scripts into a folder, to train "
            "on a GPU machine or a cluster; the model it saves opens here like any other"
        )
        self.export_button.clicked.connect(self.export_job)
        form = QFormLayout(self)
        for label, widget in (
            ("Epochs:", self.epochs),
            ("Batch size:", self.batch),
            ("Learning rate:", self.lr),
            ("Augmentation:", self.augment),
            ("Validation split:", self.val_split),
            ("Early stopping:", self.patience),
            ("Device:", self.device),
            ("Seed:", self.seed),
        ):
            form.addRow(label, widget)
        form.addRow("", self.export_button)

    def initializePage(self) -> None:
        """Defaults from the data: a batch that fits the training set, its split kept."""
        report = self.state.report
        n = len(report.train) if report else 0
        batch = default_batch(self.state.task)
        self.batch.setValue(max(2, min(batch, n // 2)) if n else batch)
        self.val_split.setValue(VAL_SPLIT)
        kept = bool(self.state.keep_validation)
        self.val_split.setEnabled(not kept and (report is None or report.split != "folders"))
        if kept:
            self.val_split.setToolTip(
                "A retrain validates on the previous model's validation files, so the two "
                "models are compared on files neither trained on"
            )
        self.augment.setEnabled(modality(self.state.task).augments)
        self.epochs.setValue(0)
        self.lr.setValue(0.0)
        self.patience.setValue(-1)
        if self.state.preset is not None:
            self._apply(self.state.preset)

    def _apply(self, spec: TrainSpec) -> None:
        """The settings of the model being retrained (the data's folder split still wins)."""
        self.epochs.setValue(spec.epochs or 0)
        self.batch.setValue(spec.batch_size)
        self.lr.setValue(spec.lr or 0.0)
        if self.val_split.isEnabled():
            self.val_split.setValue(spec.val_split)
        self.augment.setChecked(spec.augment)
        self.patience.setValue(-1 if spec.early_stopping is None else spec.early_stopping)
        self.device.setCurrentText(spec.device)
        self.seed.setValue(spec.seed)

    def spec(self) -> TrainSpec:
        """The run these fields describe (its output is named on a later page)."""
        report = self.state.report
        assert report is not None
        return TrainSpec(
            task=self.state.task,
            data=report.root,
            output="",
            base=self.state.model or None,
            mode=self.state.mode,
            epochs=self.epochs.value() or None,
            batch_size=self.batch.value(),
            lr=self.lr.value() or None,
            val_split=round(self.val_split.value(), 3),
            seed=self.seed.value(),
            device=self.device.currentText(),
            augment=self.augment.isChecked(),
            early_stopping=None if self.patience.value() < 0 else self.patience.value(),
        )

    @Slot()
    def export_job(self) -> JobExportDialog:
        """Open the job export for these settings, modal to the wizard."""
        self.job_dialog = JobExportDialog(self.state.settings, self.spec(), self)
        self.job_dialog.open()
        return self.job_dialog

    def validatePage(self) -> bool:
        self.state.spec = self.spec()
        self.state.settings.device = self.state.spec.device
        return True


def _spin(low: int, high: int, special: str = "") -> QSpinBox:
    spin = QSpinBox()
    spin.setRange(low, high)
    if special:
        spin.setSpecialValueText(special)
    return spin
