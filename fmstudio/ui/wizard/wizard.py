"""The fine-tuning wizard: Data → Model → Settings → Train → Evaluate → Save.

Opened with `evaluate_model`, it is Data → Model → Evaluate: an existing model measured on
another folder. Opened with `retrain`, it starts from that model's dataset, base and settings
(its model.json), and the Evaluate page compares the new model with it. It only gathers
choices and draws events; the core jobs do the work. The pages share one `WizardState`; the
wizard composes them and cleans up when it closes.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QWidget, QWizard

from fmstudio.core.config import Settings
from fmstudio.core.modalities import trainable_tasks
from fmstudio.core.train.spec import TrainSpec
from fmstudio.ui.widgets.confirm import confirm_losing
from fmstudio.ui.wizard.data_page import DataPage
from fmstudio.ui.wizard.evaluate_page import EvaluatePage
from fmstudio.ui.wizard.model_page import ModelPage
from fmstudio.ui.wizard.save_page import SavePage
from fmstudio.ui.wizard.settings_page import SettingsPage
from fmstudio.ui.wizard.state import WizardState
from fmstudio.ui.wizard.train_page import TrainPage

DATA, MODEL, SETTINGS, TRAIN, EVALUATE, SAVE = range(6)


class FineTuneWizard(QWizard):
    model_saved = Signal(str, str)
    """(task, name) once a model is in the library: the tabs refresh their pickers."""
    label_next = Signal(str, str, str, str, int)
    """(task, model, dataset, unlabelled folder, n): see `SavePage.label_next`."""
    export_requested = Signal(str, str)
    """(task, name): export the saved model (`SavePage.export_after`)."""

    def __init__(
        self,
        settings: Settings,
        task: str = "",
        evaluate_model: str | None = None,
        parent: QWidget | None = None,
        *,
        data: str | None = None,
        retrain: TrainSpec | None = None,
        previous_model: str | None = None,
        keep_validation: list[str] | None = None,
    ) -> None:
        super().__init__(parent)
        self.state = WizardState(
            settings,
            task if task in trainable_tasks() else trainable_tasks()[0],
            evaluate_only=evaluate_model is not None,
            model=evaluate_model or (retrain.base or "" if retrain else ""),
            mode=retrain.mode if retrain else "auto",
            preset=retrain,
            previous_model=previous_model,
            keep_validation=keep_validation or [],
        )
        self.setWindowTitle("Evaluate a model" if self.state.evaluate_only else "Fine-tune a model")
        self.setWizardStyle(QWizard.WizardStyle.ModernStyle)
        # After Save nothing is left to go back to; a measured model can be measured again on
        # another folder, or another model on this one.
        self.setOption(QWizard.WizardOption.NoBackButtonOnLastPage, not self.state.evaluate_only)
        self.resize(980, 720)
        self.data_page = DataPage(self.state)
        self.model_page = ModelPage(self.state)
        self.settings_page = SettingsPage(self.state)
        self.train_page = TrainPage(self.state)
        self.evaluate_page = EvaluatePage(self.state)
        self.save_page = SavePage(self.state)
        self.save_page.saved.connect(self.model_saved)
        self.save_page.label_next.connect(self.label_next)
        self.save_page.export_requested.connect(self.export_requested)
        pages = (
            self.data_page,
            self.model_page,
            self.settings_page,
            self.train_page,
            self.evaluate_page,
            self.save_page,
        )
        for page_id, page in enumerate(pages):
            self.setPage(page_id, page)
        if retrain is not None:
            self.setWindowTitle(f"Retrain {previous_model}")
            data = retrain.data
        if data:
            self.data_page.set_folder(data)

    def nextId(self) -> int:
        current = self.currentId()
        if self.state.evaluate_only:
            return {DATA: MODEL, MODEL: EVALUATE}.get(current, -1)
        return current + 1 if current < SAVE else -1

    def unsaved_work(self) -> str | None:
        """What closing the wizard now would lose, in words, or None."""
        if self.train_page.jobs.is_busy():
            return "A model is training in the fine-tuning wizard; closing stops it."
        if self.state.staging is not None and self.state.trained is not None:
            return "The model trained in the wizard is not saved yet; closing throws it away."
        return None

    def _may_close(self) -> bool:
        unsaved = self.unsaved_work()
        return unsaved is None or confirm_losing(self, unsaved, "Close")

    def reject(self) -> None:
        """Cancel and Esc ask first when a run or an unsaved model would be lost."""
        if self._may_close():
            super().reject()

    def shutdown(self) -> None:
        """Stop every running job and wait for it, then drop what was not saved."""
        self.train_page.gate.resume()
        self.data_page.shutdown()
        self.train_page.jobs.shutdown()
        self.evaluate_page.shutdown()
        self.state.discard_staging()

    def done(self, result: int) -> None:
        # QWizard validates the last page (which saves the model) inside done(): clean up
        # only once the dialog has really closed.
        super().done(result)
        if not self.isVisible():
            self.shutdown()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.isVisible() and not self._may_close():
            event.ignore()
            return
        self.shutdown()
        super().closeEvent(event)
