"""A frozen network's features for every example of a dataset, in batches, with progress:
what head mode trains on and what the audit embeds (each task gives its own forward pass)."""

from __future__ import annotations

from collections.abc import Callable, Generator, Sized
from typing import Any, cast

import torch
from torch.utils.data import Dataset, default_collate

from fmstudio.core.events import CancelToken, EtaTracker, Event
from fmstudio.core.train.loaders import batch_loader, loader_workers


def _inputs(items: list[Any]) -> torch.Tensor:
    """A batch of the examples' inputs (their targets are not needed)."""
    inputs: torch.Tensor = default_collate(items)[0]
    return inputs


@torch.no_grad()
def batched_features(
    dataset: Dataset,
    forward: Callable[[torch.Tensor], torch.Tensor],
    cancel: CancelToken,
    what: str,
    batch_size: int = 32,
    device: str = "cpu",
) -> Generator[Event, None, torch.Tensor]:
    """`forward` of every example's input (a dataset of (input, target)), on the CPU, in order;
    `what` names the examples in the progress ("features of training images").

    On a GPU, worker processes decode the next batches meanwhile and the features stay on the
    device until the end, so the host never waits for a batch's result."""
    chunks = []
    n = len(cast(Sized, dataset))
    tracker = EtaTracker(n)
    loader = batch_loader(
        dataset, device, loader_workers(device), batch_size=batch_size, collate=_inputs
    )
    done = 0
    for batch in loader:
        cancel.raise_if_cancelled()
        chunks.append(forward(batch).float())
        done += len(batch)
        yield tracker.progress(done, what)
    return torch.cat(chunks).cpu()
