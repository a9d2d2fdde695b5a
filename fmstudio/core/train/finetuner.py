"""The `Finetuner` protocol: what a task must provide for the one training job to train it.

A task plugs in by naming its class in the modality table (`core/modalities.py`); the job
loads it from there, so nothing in `core/train` knows the tasks by name.
"""

from __future__ import annotations

from collections.abc import Generator, Sequence
from pathlib import Path
from typing import Any, Protocol, cast

import torch
from torch import nn
from torch.utils.data import Dataset

from fmstudio.core.data.report import Example
from fmstudio.core.events import CancelToken, Event
from fmstudio.core.modalities import import_target, modality
from fmstudio.core.train.objectives import Objective


class Finetuner(Protocol):
    """Holds the model being trained and knows how to feed it and save it."""

    model: nn.Module

    def __init__(self, base: str, classes: list[str], device: str, mode: str) -> None:
        """`mode` is the run's, "head" or "full": a task may train a different model in each
        (text's head mode learns on the sentence embedding, not on a transformers head)."""
        ...

    def load(self) -> None:
        """Load the base model (a classifier's with a new head for `classes`) on the device."""
        ...

    def prepare(
        self, samples: Sequence[Example], cancel: CancelToken, what: str
    ) -> Generator[Event, None, list[Any]]:
        """Read the samples once into what `dataset` takes (decoded images, token ids)."""
        ...

    def dataset(self, inputs: Sequence[Any], targets: Sequence[int], train: bool) -> Dataset:
        """Examples for the loop; `train` turns on augmentation where there is any."""
        ...

    def collate(self, items: list[Any]) -> Any:
        """Batch a list of examples (pad token ids, stack tensors)."""
        ...

    def save(self, folder: Path) -> None:
        """Write the trained model so that its own library reloads it."""
        ...

    def objective(self) -> Objective | None:
        """What training minimises and how validation scores an epoch (and which figure
        picks the best one); None: a classifier's cross-entropy, as the run configures it."""
        ...


class ClassifierFinetuner(Finetuner, Protocol):
    """A classifier's finetuner: it can also train its head alone on cached features."""

    augments: bool
    """Whether `dataset(..., train=True)` differs from `train=False` (random augmentation):
    head mode then also trains on augmented views of the cached features."""

    @property
    def head(self) -> nn.Module:
        """The classifier alone: head mode trains it on cached features."""
        ...

    def features(
        self, dataset: Dataset, cancel: CancelToken, what: str
    ) -> Generator[Event, None, torch.Tensor]:
        """The frozen backbone's output (the head's input) for every example, in order."""
        ...


def load_finetuner(
    task: str, base: str, classes: list[str], device: str, mode: str = "full"
) -> Finetuner:
    """The task's `Finetuner`, with its base model loaded (a classifier's with a new head)."""
    path = modality(task).finetuner
    if path is None:
        raise ValueError(f"{task} models cannot be fine-tuned yet")
    finetuner = cast(Finetuner, import_target(path)(base, classes, device, mode))
    finetuner.load()
    return finetuner
