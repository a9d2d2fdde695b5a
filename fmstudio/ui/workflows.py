"""The routes between the tabs and the fine-tuning wizard: train on a dataset a tab grew,
retrain or export a library model, evaluate, and label what a new model is least sure of.

The main window only composes; this object owns the wizard (one at a time) and knows which
tab a route lands on.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtWidgets import QMessageBox, QWidget

from fmstudio.core import config
from fmstudio.core.errors import FmError
from fmstudio.core.modalities import trainable_tasks
from fmstudio.ui.tabs.base import Tab
from fmstudio.ui.tabs.classify_tab import ClassifyTab

if TYPE_CHECKING:
    from fmstudio.ui.wizard.wizard import FineTuneWizard


class Workflows(QObject):
    status = Signal(str)
    """A line for the window's status bar ("Saved x to the model library")."""

    def __init__(
        self,
        window: QWidget,
        settings: config.Settings,
        tabs: dict[str, Tab],
        current_task: Callable[[], str],
        show_tab: Callable[[str], None],
    ) -> None:
        super().__init__(window)
        self.window, self.settings, self.tabs = window, settings, tabs
        self.current_task, self.show_tab = current_task, show_tab
        self.wizard: FineTuneWizard | None = None

    @Slot(str, str)
    def export_model(self, task: str, model: str) -> QWidget:
        """The export dialog for `model` (from the model library or the wizard's last page)."""
        from fmstudio.ui.widgets.model_export_dialog import ModelExportDialog

        dialog = ModelExportDialog(self.settings, task, model, parent=self.window)
        dialog.show()
        return dialog

    @Slot(str, str)
    def train_on(self, task: str, folder: str) -> QWidget | None:
        """The fine-tuning wizard on a dataset a tab grew: a retrain of the tab's model when
        that model was trained on this very folder (so the two are compared)."""
        from fmstudio.core.classify.retrain import trained_on

        model = self.tabs[task].model_picker.model_name()
        trained = trained_on(model, task)
        if trained and Path(trained).resolve() == Path(folder).expanduser().resolve():
            return self.retrain(task, model)
        return self.open_wizard(None, task=task, data=folder)

    @Slot(str, str, str, str, int)
    def label_next(self, task: str, model: str, dataset: str, folder: str, limit: int) -> None:
        """After training: the new model classifies unlabelled files, the least sure are
        reviewed into its dataset."""
        tab = self.tabs[task]
        if not isinstance(tab, ClassifyTab):
            return
        self.show_tab(task)
        tab.model_picker.refresh(model)
        tab.find_what_to_label(dataset, folder, limit)

    @Slot(str, str)
    def retrain(self, task: str, name: str) -> QWidget | None:
        """The wizard set up as `name` was trained, on its dataset as it is now."""
        from fmstudio.core.classify.retrain import previous_validation, retrain_spec

        try:
            spec = retrain_spec(name, task)
        except FmError as exc:
            QMessageBox.warning(self.window, "Cannot retrain", str(exc))
            return None
        kept = previous_validation(name, task)
        return self.open_wizard(
            None, task=task, retrain=spec, previous_model=name, keep_validation=kept
        )

    @Slot()
    def fine_tune(self) -> QWidget:
        return self.open_wizard(None)

    @Slot()
    def evaluate(self) -> QWidget:
        return self.open_wizard(self.tabs[self.wizard_task()].model_picker.model_name())

    def wizard_task(self) -> str:
        """The current tab's task where it can be trained, else the first that can."""
        key = self.current_task()
        return key if key in trainable_tasks() else trainable_tasks()[0]

    def open_wizard(
        self, evaluate_model: str | None, task: str | None = None, **preset: Any
    ) -> QWidget:
        from fmstudio.ui.wizard.wizard import FineTuneWizard  # pyqtgraph loads only now

        if self.wizard is not None and self.wizard.isVisible():
            self.wizard.close()  # one wizard at a time: its jobs stop, its staging goes
            if self.wizard.isVisible():  # the user kept its run going
                self.wizard.raise_()
                self.wizard.activateWindow()
                return self.wizard
        task = task or self.wizard_task()
        wizard = FineTuneWizard(self.settings, task, evaluate_model, self.window, **preset)
        wizard.model_saved.connect(self.model_saved)
        wizard.label_next.connect(self.label_next)
        wizard.export_requested.connect(self.export_model)
        wizard.show()
        self.wizard = wizard
        return wizard

    @Slot(str, str)
    def model_saved(self, task: str, name: str) -> None:
        """A new model appears at once, selected, in its tab's picker."""
        for key, tab in self.tabs.items():
            tab.model_picker.refresh(name if key == task else "")
        self.status.emit(f"Saved {name} to the model library")

    def unsaved_work(self) -> str | None:
        """What closing now would lose (a run training, a trained model not saved), or None."""
        if self.wizard is None or not self.wizard.isVisible():
            return None
        return self.wizard.unsaved_work()

    def shutdown(self) -> None:
        if self.wizard is not None:
            self.wizard.shutdown()
