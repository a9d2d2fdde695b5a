"""The wizard's Settings page: epochs, batch, learning rate, split and the rest, each explained."""

from __future__ import annotations

from PySide6.QtCore import Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QDoubleSpinBox,
    QFormLayout,
    QPushButton,
    QSpinBox,
    QWizardPage,
)

from fmstudio.core.data.split import VAL_SPLIT
from fmstudio.core.modalities import modality
from fmstudio.core.train.spec import (
    TrainSpec,
    default_batch,
    defaults_help,
)
from fmstudio.ui.widgets.controls import device_combo
from fmstudio.ui.widgets.job_export_dialog import JobExportDialog
from fmstudio.ui.wizard.state import WizardState


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
        augmentation = modality(self.state.task).augmentation
        self.augment.setEnabled(bool(augmentation))
        self.augment.setText(augmentation or "None for this task")
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
