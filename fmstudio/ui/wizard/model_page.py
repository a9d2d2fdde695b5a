"""The wizard's Model page: the base model to start from, and how much of it to train."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QLabel,
    QWizardPage,
)

from fmstudio.core.modalities import modality
from fmstudio.core.train.spec import (
    auto_policy,
)
from fmstudio.ui.widgets.model_picker import ModelPicker
from fmstudio.ui.wizard.state import WizardState


class ModelPage(QWizardPage):
    def __init__(self, state: WizardState) -> None:
        super().__init__()
        self.state = state
        self.setTitle("Model")
        self.picker = ModelPicker(state.task, training=not state.evaluate_only)
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
        self.picker.show_task(self.state.task, self.state.model_or_default())
        if self.state.evaluate_only:
            self.setSubTitle("The model to evaluate on the chosen folder.")
            return
        self.setSubTitle("The pretrained model to start from, and how much of it to train.")
        self.mode.setCurrentIndex(max(0, self.mode.findData(self.state.mode)))
        full_only = not modality(self.state.task).defaults().trains_head
        self.form.setRowVisible(self.mode, not full_only)
        if full_only:
            self.mode.setCurrentIndex(self.mode.findData("auto"))
        report = self.state.report
        self.explain.setText(auto_policy(self.state.task, len(report.train) if report else 0))

    def validatePage(self) -> bool:
        self.state.model = self.picker.model_name()
        self.state.mode = str(self.mode.currentData())
        return True
