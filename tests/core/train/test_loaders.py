"""Feeding a GPU: worker processes make the batches, a torchrun of one trains alone, and the
processes of a larger run vote on stopping every few steps instead of every step.

The workers are real forked processes on this CPU; what the machine lacks is the GPU that
`loader_workers` gives them to, so the loop is handed a worker count directly."""

from __future__ import annotations

import os

import pytest
import torch
from torch import distributed as dist
from torch.utils.data import Dataset

from fmstudio.core.events import run_to_end
from fmstudio.core.train import distributed, loop
from fmstudio.core.train.loaders import MAX_WORKERS, batch_loader, loader_workers
from tests.core.train.test_loop import blobs, config, model


class WhoMade(Dataset):
    """Each example is its index and the process that made it."""

    def __len__(self) -> int:
        return 40

    def __getitem__(self, index: int) -> tuple[torch.Tensor, int]:
        return torch.tensor([index, os.getpid()]), index


def test_workers_only_where_a_gpu_waits_for_prepared_examples(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert loader_workers("cpu") == 0
    assert loader_workers("mps") == 0
    assert loader_workers("cuda", prepares=False) == 0
    assert 1 <= loader_workers("cuda") <= MAX_WORKERS
    monkeypatch.setenv("LOCAL_WORLD_SIZE", "512")  # many GPUs share this machine's cores
    assert loader_workers("cuda:3") == 1


def test_worker_processes_make_the_same_batches_in_the_same_order() -> None:
    order = [[3, 1, 4], [15, 9, 2, 6], [5, 35], [8, 9, 7, 39]]
    alone = list(batch_loader(WhoMade(), "cpu", 0, batch_sampler=order))
    helped = list(batch_loader(WhoMade(), "cpu", 2, batch_sampler=order))
    assert [b[1].tolist() for b in helped] == [b[1].tolist() for b in alone] == order
    assert {int(pid) for b in alone for pid in b[0][:, 1]} == {os.getpid()}
    makers = {int(pid) for b in helped for pid in b[0][:, 1]}
    assert os.getpid() not in makers and len(makers) == 2


def test_the_loop_learns_the_same_with_worker_processes() -> None:
    train, val = blobs()
    alone, helped = model(), model()
    run_to_end(loop.fit(alone, train, val, config(seed=1)))
    result = run_to_end(loop.fit(helped, train, val, config(seed=1, workers=2)))
    for a, b in zip(alone.parameters(), helped.parameters(), strict=True):
        assert torch.equal(a, b)
    assert len(result.history) == 6 and result.final is not None


def test_a_torchrun_of_one_process_trains_alone(
    tmp_path: os.PathLike[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """No DistributedDataParallel and no collective vote: there is no one to agree with."""
    dist.init_process_group("gloo", init_method=f"file://{tmp_path}/store", rank=0, world_size=1)
    try:
        assert distributed.current().active and not distributed.shared()
        net = model()
        assert distributed.wrap(net, "cpu") is net

        def refused(*args: object, **kwargs: object) -> None:
            raise AssertionError("a collective step in a process that trains alone")

        monkeypatch.setattr(dist, "all_reduce", refused)
        train, val = blobs()
        result = run_to_end(loop.fit(net, train, val, config()))
        assert result.history[-1].train_loss < result.history[0].train_loss
    finally:
        dist.destroy_process_group()


def test_processes_vote_on_stopping_every_few_steps(monkeypatch: pytest.MonkeyPatch) -> None:
    votes: list[int] = []
    monkeypatch.setattr(distributed, "shared", lambda: True)
    monkeypatch.setattr(distributed, "wrap", lambda net, device: net)
    monkeypatch.setattr(distributed, "sums", lambda *values: list(values))
    monkeypatch.setattr(distributed, "stop_together", lambda cancel: votes.append(1))
    train, _ = blobs(n=160)  # 120 examples: 15 steps of 8 an epoch
    run_to_end(loop.fit(model(), train, None, config(epochs=2)))
    per_epoch = len(range(1, 16, loop.STOP_VOTE_STEPS))
    assert len(votes) == 2 * per_epoch == 4
