"""DataLoaders that keep a GPU fed: worker processes decode and augment the next batches while
the GPU runs this one, into pinned memory that copies to the GPU without the host waiting.

Without workers one process decodes, augments and drives the GPU in turn, and a fast GPU
waits on the JPEG decoder (issue 31: 0.92x a plain loop on an H100). On the CPU the model
already uses every core, so batches are made in the training process there.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from typing import Any

from torch.utils.data import DataLoader, Dataset

MAX_WORKERS = 8
"""Enough to feed one GPU with augmented photos; more only adds start-up time and memory."""


def loader_workers(device: str, prepares: bool = True) -> int:
    """How many worker processes make batches for `device`: none unless a dataset does work
    per example (`prepares`: decoding, augmenting) and a GPU waits for it.

    Linux only: workers are forked, so they share the decoded images and the model copy-free;
    where processes are spawned (Windows, macOS) each would unpickle the whole dataset.
    """
    if not prepares or not device.startswith("cuda") or not sys.platform.startswith("linux"):
        return 0
    cores = len(os.sched_getaffinity(0))
    per_process = cores // max(1, int(os.environ.get("LOCAL_WORLD_SIZE", "1")))
    return max(1, min(MAX_WORKERS, per_process - 1))


def batch_loader(
    dataset: Dataset,
    device: str,
    workers: int,
    *,
    batch_sampler: Sequence[Sequence[int]] | None = None,
    batch_size: int = 1,
    collate: Callable[[list[Any]], Any] | None = None,
) -> DataLoader:
    """Batches in order of `batch_sampler` (or of the dataset, `batch_size` at a time), made by
    `workers` forked processes ahead of use and pinned for a GPU."""
    ahead: dict[str, Any] = {}
    if workers:
        ahead = {"num_workers": workers, "prefetch_factor": 4, "multiprocessing_context": "fork"}
    sizing: dict[str, Any] = {"batch_size": batch_size}
    if batch_sampler is not None:
        sizing = {"batch_sampler": batch_sampler}
    return DataLoader(
        dataset, collate_fn=collate, pin_memory=device.startswith("cuda"), **sizing, **ahead
    )
