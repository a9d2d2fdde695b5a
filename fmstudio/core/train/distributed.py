"""Training across processes under torchrun: who this process is, its share of the data, and
the few collective steps the loop needs.

torchrun (and Slurm, Kubernetes operators and cloud trainers that wrap it) sets RANK,
WORLD_SIZE and LOCAL_RANK; `start` joins the process group (NCCL on GPUs, gloo on CPUs).
Everything here asks torch.distributed for the group, so a process that never called `start`
(the app, the tests, a plain `fmstudio train`) is one process of one and every helper is a
no-op. The loop stays one loop: it shards, wraps the model in DistributedDataParallel and
reduces its figures through these helpers.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, TypeVar, cast

import torch
from torch import distributed as dist
from torch import nn

from fmstudio.core.errors import FmError
from fmstudio.core.events import CancelToken

T = TypeVar("T")

TIMEOUT = timedelta(minutes=30)
"""How long a collective waits for the other processes (rank 0 scanning a big folder)."""


@dataclass(frozen=True)
class Group:
    rank: int = 0
    world: int = 1
    local_rank: int = 0
    active: bool = False
    """Joined a process group: torchrun started this process (also as the only one; then
    there are no gradients to average and no one to vote with, see `shared`)."""

    @property
    def main(self) -> bool:
        """The process that logs, writes checkpoints and saves."""
        return self.rank == 0


def launched() -> bool:
    """Whether torchrun started this process."""
    return "LOCAL_RANK" in os.environ and "WORLD_SIZE" in os.environ


def start(device: str) -> Group:
    """Join torchrun's process group; NCCL when training on CUDA, gloo otherwise."""
    if not dist.is_initialized():
        nccl = device.startswith("cuda")
        if nccl:
            torch.cuda.set_device(int(os.environ.get("LOCAL_RANK", "0")))
        dist.init_process_group("nccl" if nccl else "gloo", timeout=TIMEOUT)
    return current()


def stop() -> None:
    if dist.is_initialized():
        dist.destroy_process_group()


def current() -> Group:
    if not dist.is_initialized():
        return Group()
    local = int(os.environ.get("LOCAL_RANK", "0"))
    return Group(dist.get_rank(), dist.get_world_size(), local, active=True)


def shared() -> bool:
    """Whether other processes train with this one (a torchrun of one process trains alone:
    DistributedDataParallel and stop votes would only cost it time)."""
    return current().world > 1


def local_device(device: str) -> str:
    """Each process on a machine takes its own GPU."""
    group = current()
    if group.active and device == "cuda":
        return f"cuda:{group.local_rank}"
    return device


def wrap(model: nn.Module, device: str) -> nn.Module:
    """The model as the training step sees it: DistributedDataParallel when there are several
    processes (it averages gradients during backward), else the model itself."""
    if not shared():
        return model
    from torch.nn.parallel import DistributedDataParallel

    ids = [torch.device(device).index or 0] if device.startswith("cuda") else None
    return DistributedDataParallel(model, device_ids=ids)


def shard(items: Sequence[T], pad: bool) -> list[T]:
    """This process's share: every world-th item from its rank. `pad` repeats items from the
    start so every process gets as many (a DDP step needs all of them)."""
    group = current()
    if not group.active or not items:
        return list(items)
    listed = list(items)
    if pad:
        missing = -len(listed) % group.world
        listed += (listed * (missing // len(listed) + 1))[:missing]
    return listed[group.rank :: group.world]


def sums(*values: float) -> list[float]:
    """Each value summed over all processes."""
    if not shared():
        return list(values)
    on = f"cuda:{current().local_rank}" if dist.get_backend() == "nccl" else "cpu"
    tensor = torch.tensor(values, dtype=torch.float64, device=on)
    dist.all_reduce(tensor)
    return [float(v) for v in tensor.tolist()]


def anyone(flag: bool) -> bool:
    """Whether any process says yes: a stop on one is a stop on all, between the same steps."""
    if not shared():
        return flag
    return sums(float(flag))[0] > 0


def stop_together(cancel: CancelToken) -> None:
    """Raise `Cancelled` on every process if any was asked to stop (a scheduler's SIGTERM
    reaches them at slightly different moments): at the same step everywhere, never halfway
    into a collective step that the others then wait on for ever. The vote alone decides: a
    signal that lands while the processes vote waits for the next vote, where all see it."""
    if anyone(cancel.cancelled):
        cancel.cancel()
        cancel.raise_if_cancelled()


def unshared(cancel: CancelToken) -> CancelToken:
    """The token for work that ends in a collective step (validation, gathering features):
    under torchrun one that never fires, so every process reaches the collective;
    `stop_together` then stops them all."""
    return CancelToken() if shared() else cancel


def gather(value: Any) -> list[Any]:
    """Every process's value, in rank order."""
    group = current()
    if group.world == 1:
        return [value]
    out: list[Any] = [None] * group.world
    dist.all_gather_object(out, value)
    return out


def from_main(value: T) -> T:
    """Rank 0's value on every process."""
    if not shared():
        return value
    box = [value]
    dist.broadcast_object_list(box, src=0)
    return box[0]


def on_main(make: Callable[[], T]) -> T:
    """`make()` run by rank 0 alone (scanning a folder, checking a manifest); every process
    gets its result, or raises the `FmError` it raised."""
    found: T | FmError | None = None
    if current().main:
        try:
            found = make()
        except FmError as exc:
            found = exc
    found = from_main(found)
    if isinstance(found, FmError):
        raise found
    return cast(T, found)


def barrier() -> None:
    if shared():
        dist.barrier()
