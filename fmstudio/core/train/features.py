"""A frozen network's features for every example of a dataset, in batches, with progress:
what head mode trains on and what the audit embeds (each task gives its own forward pass)."""

from __future__ import annotations

from collections.abc import Callable, Generator, Sized
from typing import cast

import torch
from torch.utils.data import Dataset

from fmstudio.core.events import CancelToken, EtaTracker, Event


@torch.no_grad()
def batched_features(
    dataset: Dataset,
    forward: Callable[[torch.Tensor], torch.Tensor],
    cancel: CancelToken,
    what: str,
    batch_size: int = 32,
) -> Generator[Event, None, torch.Tensor]:
    """`forward` of every example's input (a dataset of (input, target)), on the CPU, in order;
    `what` names the examples in the progress ("features of training images")."""
    chunks = []
    n = len(cast(Sized, dataset))
    tracker = EtaTracker(n)
    for start in range(0, n, batch_size):
        cancel.raise_if_cancelled()
        batch = torch.stack([dataset[i][0] for i in range(start, min(n, start + batch_size))])
        chunks.append(forward(batch).float().cpu())
        yield tracker.progress(min(n, start + batch_size), what)
    return torch.cat(chunks)
