"""What the wizard's pages share: one state object handed to each page.

Pages read and write this, never each other's widgets, and none imports the wizard itself.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from fmstudio.core.config import Settings
from fmstudio.core.data.folders import DatasetReport
from fmstudio.core.library import run_folder, staging_folder
from fmstudio.core.modalities import VAL_SPLIT
from fmstudio.core.train.spec import TrainSpec

if TYPE_CHECKING:
    from fmstudio.core.train.evaluate import EvalResult
    from fmstudio.core.train.job import TrainResult


@dataclass(frozen=True)
class RunChoices:
    """The Settings page's fields; None leaves the choice to the mode's default."""

    epochs: int | None = None
    batch_size: int = 16
    lr: float | None = None
    val_split: float = VAL_SPLIT
    seed: int = 0
    device: str = "auto"
    augment: bool = True
    early_stopping: int | None = None


@dataclass
class WizardState:
    settings: Settings
    task: str
    evaluate_only: bool = False
    model: str = ""
    """The base model to fine-tune, or the model to evaluate."""
    mode: str = "auto"
    report: DatasetReport | None = None
    choices: RunChoices = field(default_factory=RunChoices)
    trained: TrainResult | None = None
    evaluated: EvalResult | None = None
    staging: Path | None = None
    """Where a trained model waits, unnamed, until the Save page names it."""

    def train_spec(self) -> TrainSpec:
        """The run the pages describe, saving into a fresh staging folder."""
        assert self.report is not None
        self.staging = staging_folder()
        c = self.choices
        return TrainSpec(
            task=self.task,
            data=self.report.root,
            output=str(self.staging),
            base=self.model or None,
            mode=self.mode,
            epochs=c.epochs,
            batch_size=c.batch_size,
            lr=c.lr,
            val_split=c.val_split,
            seed=c.seed,
            device=c.device,
            augment=c.augment,
            early_stopping=c.early_stopping,
        )

    def discard_staging(self) -> None:
        """Remove a trained model the user did not save, and its run folder."""
        if self.staging is not None:
            shutil.rmtree(self.staging, ignore_errors=True)
            shutil.rmtree(run_folder(self.staging), ignore_errors=True)
            self.staging = None
