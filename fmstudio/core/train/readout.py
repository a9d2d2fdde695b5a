"""Figures of the training steps read from the GPU without stalling it.

`loss.item()` makes the host wait until the GPU has run every step queued so far; done for each
progress event, it empties the GPU's queue many times a second, and the GPU idles while the host
queues the next step. Here the figures stay on the device as tensors: a read starts their copy
to pinned host memory and returns the copy the previous read started, long finished by then
(one event interval late, which no one watching a curve can see). On the CPU there is nothing
to overlap and a read is immediate.
"""

from __future__ import annotations

import torch


class StepFigures:
    """The mean loss of the steps added since the last read, read one read late on CUDA."""

    def __init__(self, device: str) -> None:
        self.lagged = device.startswith("cuda")
        self.pending: list[torch.Tensor] = []
        self.in_flight: tuple[torch.Tensor, torch.cuda.Event] | None = None
        self.last = float("nan")

    def add(self, loss: torch.Tensor) -> None:
        self.pending.append(loss.detach().float())

    def read(self) -> float:
        """The newest mean loss the host can have without waiting for queued steps."""
        if not self.pending:
            return self.last
        mean = torch.stack(self.pending).mean()
        self.pending.clear()
        if not self.lagged:
            self.last = float(mean)
            return self.last
        host = torch.empty((), dtype=torch.float32, pin_memory=True)
        host.copy_(mean, non_blocking=True)
        done = torch.cuda.Event()
        done.record()
        previous, self.in_flight = self.in_flight, (host, done)
        if previous is None:  # the first read has nothing older to show: wait once
            previous = self.in_flight
        previous[1].synchronize()
        self.last = float(previous[0])
        return self.last


class EpochSums:
    """An epoch's loss sum, right-example count and example count, summed on the device and
    read once, when the epoch ends."""

    def __init__(self, device: str) -> None:
        self.sums = torch.zeros(2, device=device)  # float32: MPS has no float64
        self.examples = 0

    def add(self, loss: torch.Tensor, right: torch.Tensor, examples: int) -> None:
        self.sums += torch.stack([loss.detach().float() * examples, right.detach().float()])
        self.examples += examples

    def totals(self) -> tuple[float, float, int]:
        """(loss sum, right examples, examples): the one wait for the GPU in an epoch."""
        loss_sum, right = self.sums.tolist()
        return loss_sum, right, self.examples
