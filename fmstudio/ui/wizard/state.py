"""What the wizard's pages share: one state object handed to each page.

Pages read and write this, never each other's widgets, and none imports the wizard itself.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Protocol

from fmstudio.core.catalog import default_base
from fmstudio.core.classify.scan import DatasetReport
from fmstudio.core.config import Settings
from fmstudio.core.data.report import ScanReport
from fmstudio.core.library import run_folder, staging_folder
from fmstudio.core.speech.clips import ClipReport
from fmstudio.core.train.checkpoints import Checkpoint, RunDir
from fmstudio.core.train.spec import TrainSpec

AnyReport = DatasetReport | ClipReport


class Trained(Protocol):
    """What the pages need of any family's fine-tune result: where the model is, and the
    data as the run split it (the family's view shows the rest)."""

    @property
    def folder(self) -> Path: ...

    @property
    def report(self) -> ScanReport | None: ...


@dataclass
class WizardState:
    settings: Settings
    task: str
    evaluate_only: bool = False
    model: str = ""
    """The base model to fine-tune, or the model to evaluate."""
    mode: str = "auto"
    report: AnyReport | None = None
    spec: TrainSpec | None = None
    """The run as the Settings page left it; its output is chosen when training starts."""
    trained: Trained | None = None
    """The run's result: its folder, and the data as it split it (the family's view shows
    its measurements)."""
    staging: Path | None = None
    """Where a trained model waits, unnamed, until the Save page names it."""
    preset: TrainSpec | None = None
    """Settings to start from: those of the model being retrained."""
    previous_model: str | None = None
    """The model being retrained: the Evaluate page compares the new one with it."""
    keep_validation: list[str] = field(default_factory=list)
    """The previous model's validation files (relative): a retrain validates on them again."""

    def choose_task(self, task: str) -> None:
        """A new task drops the model chosen for the previous one."""
        if task != self.task:
            self.task, self.model = task, ""

    def model_or_default(self) -> str:
        """The model chosen so far; else, to evaluate, the task's tab's model; to train, the
        task's default base."""
        if self.model:
            return self.model
        if self.evaluate_only:
            return self.settings.model(self.task)
        return default_base(self.task)

    def train_spec(self) -> TrainSpec:
        """The run the pages describe, saving into a fresh staging folder."""
        assert self.spec is not None
        self.staging = staging_folder()
        kept = tuple(self.keep_validation)
        return replace(self.spec, output=str(self.staging), keep_validation=kept)

    def stopped_run(self) -> Checkpoint | None:
        """The last finished epoch of a stopped run in the staging folder, if there is one."""
        if self.staging is None:
            return None
        return RunDir(self.staging).checkpoint()

    def resumed_spec(self) -> TrainSpec:
        """The stopped run again, into the same staging folder (where its checkpoint is)."""
        assert self.spec is not None and self.staging is not None
        kept = tuple(self.keep_validation)
        return replace(self.spec, output=str(self.staging), keep_validation=kept)

    def discard_staging(self) -> None:
        """Remove a trained model the user did not save, and its run folder."""
        if self.staging is not None:
            shutil.rmtree(self.staging, ignore_errors=True)
            shutil.rmtree(run_folder(self.staging), ignore_errors=True)
            self.staging = None
