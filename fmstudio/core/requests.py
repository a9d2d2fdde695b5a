"""What the generic jobs are asked to do: scan a dataset, evaluate, compare and export a model.

Every job takes its request and keyword-only `cancel` (and `pause` where it can pause):
`evaluate_model(Evaluate(...), cancel=token)`. Each task's own requests (classify images,
transcribe) live in its package (`core/image/requests.py`); all are light, so the window builds
requests without importing torch. A request may also carry a model that is already loaded.
"""

from __future__ import annotations

from dataclasses import dataclass

from fmstudio.core.data.split import VAL_SPLIT


@dataclass(frozen=True)
class Evaluate:
    """Measure a classifier on a labelled folder (its val/ or test/ folder when it has one)."""

    task: str
    model: str
    data: str
    batch_size: int | None = None
    """None: the task's own default batch (`Modality.default_batch`)."""
    device: str = "auto"
    on: str = "held-out"
    """"held-out": the dataset's own val/ or test/ folder when it has one, else every
    example; "validation": the validation examples of the report as it was split (a run's)."""

    def __post_init__(self) -> None:
        if self.on not in ("held-out", "validation"):
            raise ValueError(f"evaluate on 'held-out' or 'validation', not {self.on!r}")


@dataclass(frozen=True)
class Compare:
    """Measure a retrained model against the model it grew from, on the same files."""

    task: str
    previous: str
    current: str
    device: str = "auto"


@dataclass(frozen=True)
class Export:
    """Write a classifier as ONNX or TorchScript into a folder, checked against torch."""

    model: str
    format: str = "onnx"
    """"onnx" or "torchscript"."""
    output: str = ""
    """The folder to write; `<model>-<format>` in the current folder when empty."""
    task: str | None = None
    """The model's task; found from the model when None."""


@dataclass(frozen=True)
class Scan:
    """Check a dataset folder (or, for text, a table file) before training on it."""

    root: str
    task: str
    val_split: float = VAL_SPLIT
    seed: int = 0
    text_column: str | None = None
    label_column: str = "label"


@dataclass(frozen=True)
class Audit:
    """Find likely label errors, near duplicates, leaks and outliers in a dataset folder."""

    root: str
    task: str
    model: str = ""
    """Whose embeddings ("" for the task's training base)."""
    device: str = "auto"
    seed: int = 0


@dataclass(frozen=True)
class Ladder:
    """What each step from no training to full fine-tuning buys on a dataset: zero-shot
    (where the task has it), a probe on frozen embeddings, head mode, full fine-tuning."""

    root: str
    task: str
    device: str = "auto"
    seed: int = 0
    modes: tuple[str, ...] = ("head", "full")
    """The training rungs to climb (each trains a model that is then thrown away)."""
