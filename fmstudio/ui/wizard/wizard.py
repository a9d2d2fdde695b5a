"""The fine-tuning wizard: Data → Model → Settings → Train → Evaluate → Save.

Opened with `evaluate_only`, it is Data → Model → Evaluate: an existing model measured on
another folder. It only gathers choices and draws events; the core jobs do the work.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QWidget, QWizard

from fmstudio.core.config import Settings
from fmstudio.core.data.folders import DatasetReport
from fmstudio.core.library import run_folder, staging_folder
from fmstudio.ui.wizard.run_pages import EvaluatePage, SavePage, TrainPage
from fmstudio.ui.wizard.setup_pages import DataPage, ModelPage, SettingsPage

DATA, MODEL, SETTINGS, TRAIN, EVALUATE, SAVE = range(6)


class FineTuneWizard(QWizard):
    model_saved = Signal(str, str)
    """(task, name) once a model is in the library: the tabs refresh their pickers."""

    def __init__(
        self,
        settings: Settings,
        task: str = "image",
        evaluate_model: str | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.settings = settings
        self.task = task if task in ("image", "text") else "image"
        self.evaluate_only = evaluate_model is not None
        self.initial_model = evaluate_model
        self.report: DatasetReport | None = None
        self.result: Any = None
        self.staging: Path | None = None
        self.saved: Path | None = None
        self.setWindowTitle("Evaluate a model" if self.evaluate_only else "Fine-tune a model")
        self.setWizardStyle(QWizard.WizardStyle.ModernStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnLastPage, True)
        self.resize(980, 720)
        self.data_page = DataPage(self)
        self.model_page = ModelPage(self)
        self.settings_page = SettingsPage(self)
        self.train_page = TrainPage(self)
        self.evaluate_page = EvaluatePage(self)
        self.save_page = SavePage(self)
        for page_id, page in enumerate(
            (
                self.data_page,
                self.model_page,
                self.settings_page,
                self.train_page,
                self.evaluate_page,
                self.save_page,
            )
        ):
            self.setPage(page_id, page)
        for panel in (self.data_page.panel, self.train_page.panel, self.evaluate_page.panel):
            panel.hide()  # only its progress bar, status line and Stop live in the page

    def nextId(self) -> int:
        current = self.currentId()
        if self.evaluate_only:
            return {DATA: MODEL, MODEL: EVALUATE}.get(current, -1)
        return current + 1 if current < SAVE else -1

    def new_staging(self) -> Path:
        self.staging = staging_folder()
        return self.staging

    def discard_staging(self) -> None:
        """Remove a trained model the user did not save."""
        if self.staging is not None:
            shutil.rmtree(self.staging, ignore_errors=True)
            shutil.rmtree(run_folder(self.staging), ignore_errors=True)
            self.staging = None

    def shutdown(self) -> None:
        """Stop every running job and wait for it, then drop what was not saved."""
        for page in (self.data_page, self.train_page, self.evaluate_page):
            if isinstance(page, TrainPage):
                page.stop()
            else:
                page.panel.shutdown()
        self.discard_staging()

    def done(self, result: int) -> None:
        # QWizard validates the last page (which saves the model) inside done(): clean up
        # only once the dialog has really closed.
        super().done(result)
        if not self.isVisible():
            self.shutdown()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.shutdown()
        super().closeEvent(event)
