"""A run's state on disk: the checkpoint after each epoch and the run's own description.

Both live in a hidden folder beside the model's target (`.NAME.run/`) until the model is
saved. Every file is written beside itself and renamed into place, so a kill never leaves
half of one; a missing or unreadable one is an `FmError` that says what to do, never a bare
`FileNotFoundError` or unpickling error.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch

from fmstudio.core.atomic import atomic_target, atomic_write_text
from fmstudio.core.errors import FmError
from fmstudio.core.library import run_folder
from fmstudio.core.train.events import EpochMetrics

StateDict = dict[str, Any]


@dataclass
class Checkpoint:
    """Everything `fit` needs to continue after `epoch` as if it had never stopped."""

    phase: str
    epoch: int
    model: StateDict
    optimizer: StateDict
    scheduler: StateDict
    scaler: StateDict
    history: list[EpochMetrics] = field(default_factory=list)
    best_epoch: int = 0
    best_state: StateDict | None = None
    best_key: float | None = None
    bad_epochs: int = 0

    def save(self, path: Path) -> None:
        state = {**self.__dict__, "history": [h.to_json() for h in self.history]}
        with atomic_target(path) as tmp:
            torch.save(state, tmp)

    @classmethod
    def load(cls, path: Path) -> Checkpoint:
        """The checkpoint at `path`; tensors and plain values only (no pickled code)."""
        try:
            state = torch.load(path, map_location="cpu", weights_only=True)
            state["history"] = [EpochMetrics.from_json(h) for h in state["history"]]
            return cls(**state)
        except FileNotFoundError:
            raise FmError(f"no checkpoint at {path}") from None
        except Exception as exc:  # torch raises many types for a truncated or foreign file
            raise FmError(
                f"the checkpoint {path} cannot be read ({type(exc).__name__}); "
                "start again without --resume"
            ) from exc


@dataclass(frozen=True)
class RunInfo:
    """What a checkpoint was made for: resuming with other classes or mode is refused."""

    classes: list[str]
    mode: str
    spec: dict[str, Any]


class RunDir:
    """The hidden folder where a run keeps its state until its model is saved."""

    CHECKPOINT = "checkpoint.pt"
    INFO = "run.json"

    def __init__(self, target: Path) -> None:
        self.path = run_folder(target)

    @property
    def checkpoint_path(self) -> Path:
        return self.path / self.CHECKPOINT

    def has_checkpoint(self) -> bool:
        return self.checkpoint_path.is_file()

    def checkpoint(self) -> Checkpoint | None:
        """The last epoch's checkpoint, or None when the run never finished an epoch."""
        return Checkpoint.load(self.checkpoint_path) if self.has_checkpoint() else None

    def write_info(self, info: RunInfo) -> None:
        atomic_write_text(self.path / self.INFO, json.dumps(info.__dict__))

    def info(self) -> RunInfo:
        where = self.path / self.INFO
        try:
            raw = json.loads(where.read_text(encoding="utf-8"))
            return RunInfo(list(raw["classes"]), str(raw["mode"]), dict(raw["spec"]))
        except FileNotFoundError:
            raise FmError(f"{where} is missing; start again without --resume") from None
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise FmError(f"{where} cannot be read ({exc}); start again without --resume") from exc

    def remove(self) -> None:
        shutil.rmtree(self.path, ignore_errors=True)
