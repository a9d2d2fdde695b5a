"""The training loop with a tiny model it can learn in milliseconds."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
import torch
from torch import nn
from torch.utils.data import TensorDataset

from fmstudio.core.errors import Cancelled
from fmstudio.core.events import CancelToken, PauseGate, Progress, run_to_end
from fmstudio.core.train.checkpoints import Checkpoint
from fmstudio.core.train.events import EpochMetrics, StepMetrics
from fmstudio.core.train.loop import LoopConfig, fit
from fmstudio.core.train.objectives import Classification, Decider, Validation
from fmstudio.core.train.schedule import length_grouped_batches, warmup_cosine
from fmstudio.core.train.spec import TrainSpec, choose_mode


def blobs(n: int = 64, seed: int = 0) -> tuple[TensorDataset, TensorDataset]:
    """Two Gaussian blobs in 4-D, train and validation."""
    g = torch.Generator().manual_seed(seed)
    y = torch.arange(n) % 2
    x = torch.randn(n, 4, generator=g) + (y[:, None] * 2 - 1) * 1.5
    return TensorDataset(x[: n * 3 // 4], y[: n * 3 // 4]), TensorDataset(
        x[n * 3 // 4 :], y[n * 3 // 4 :]
    )


def config(**kw) -> LoopConfig:
    base = {
        "phase": "head",
        "epochs": 6,
        "batch_size": 8,
        "lr": 0.05,
        "device": "cpu",
        "patience": 0,
    }
    return LoopConfig(**(base | kw))


def model() -> nn.Module:
    torch.manual_seed(0)
    return nn.Linear(4, 2)


def test_learns_and_reports_steps_and_epochs() -> None:
    train, val = blobs()
    events: list = []
    result = run_to_end(fit(model(), train, val, config()), events.append)
    epochs = [e for e in events if isinstance(e, EpochMetrics)]
    steps = [e for e in events if isinstance(e, StepMetrics)]
    assert [e.epoch for e in epochs] == [1, 2, 3, 4, 5, 6]
    assert epochs[-1].train_loss < epochs[0].train_loss
    assert epochs[-1].val_accuracy >= 0.9
    assert steps and all(s.samples_per_s > 0 and s.lr > 0 for s in steps)
    assert steps[-1].step == steps[-1].steps_total == 6 * 6
    assert steps[-1].eta_s == pytest.approx(0.0, abs=1e-6)
    progress = [e for e in events if isinstance(e, Progress)]
    assert progress[-1].fraction == pytest.approx(1.0)
    assert len(result.val_predictions) == len(val)


def test_seeded_runs_are_identical_on_cpu() -> None:
    train, val = blobs()
    a = run_to_end(fit(model(), train, val, config(seed=3)))
    b = run_to_end(fit(model(), train, val, config(seed=3)))
    assert [h.train_loss for h in a.history] == [h.train_loss for h in b.history]


def test_keeps_the_best_epoch_and_stops_early() -> None:
    train, val = blobs()
    # A huge learning rate makes validation loss bounce; the best epoch's weights must come back.
    net = model()
    result = run_to_end(fit(net, train, val, config(lr=5.0, epochs=30, patience=2, warmup=0)))
    best = min(result.history, key=lambda h: h.val_loss)
    assert result.best_epoch == best.epoch
    assert result.stopped_early and len(result.history) < 30
    with torch.no_grad():
        x, y = val.tensors
        loss = nn.functional.cross_entropy(net(x), y).item()
    assert loss == pytest.approx(best.val_loss, rel=1e-4)


def test_cancel_stops_between_steps() -> None:
    token = CancelToken()
    token.cancel()
    train, val = blobs()
    with pytest.raises(Cancelled):
        run_to_end(fit(model(), train, val, config(), cancel=token))


def test_pause_holds_the_loop_until_resume() -> None:
    train, val = blobs()
    gate = PauseGate()
    steps: list[float] = []
    gate.pause()

    def run() -> None:
        run_to_end(
            fit(model(), train, val, config(epochs=1), pause=gate),
            lambda e: steps.append(time.monotonic()) if isinstance(e, StepMetrics) else None,
        )

    thread = threading.Thread(target=run)
    thread.start()
    time.sleep(0.4)
    assert steps == [] and thread.is_alive()
    gate.resume()
    thread.join(10)
    assert not thread.is_alive() and steps


def test_stop_while_paused() -> None:
    train, val = blobs()
    gate, token = PauseGate(), CancelToken()
    gate.pause()
    threading.Timer(0.2, token.cancel).start()
    with pytest.raises(Cancelled):
        run_to_end(fit(model(), train, val, config(), cancel=token, pause=gate))


def test_resume_from_checkpoint_matches_an_uninterrupted_run(tmp_path: Path) -> None:
    train, val = blobs()
    whole = run_to_end(fit(model(), train, val, config(seed=1)))

    checkpoint = tmp_path / "ck.pt"
    job = fit(model(), train, val, config(seed=1), checkpoint=checkpoint)
    for event in job:  # stop after the third epoch, as a killed process would
        if isinstance(event, EpochMetrics) and event.epoch == 3:
            break
    job.close()
    state = Checkpoint.load(checkpoint)
    assert state.epoch == 3
    resumed = run_to_end(fit(model(), train, val, config(seed=1), resume=state))
    assert [h.epoch for h in resumed.history] == [1, 2, 3, 4, 5, 6]
    assert [h.train_loss for h in resumed.history] == pytest.approx(
        [h.train_loss for h in whole.history], rel=1e-6
    )


def test_warmup_then_cosine_decay() -> None:
    f = warmup_cosine(100, 0.1)
    assert f(0) == pytest.approx(0.1)
    assert f(9) == pytest.approx(1.0)
    assert f(10) == pytest.approx(1.0)
    assert f(55) == pytest.approx(0.5, abs=0.01)
    assert f(99) < 0.01


def test_auto_mode_depends_on_size_and_device() -> None:
    spec = TrainSpec("image", "d", "o")
    assert choose_mode(spec, 300, "cpu")[0] == "full"
    mode, why = choose_mode(spec, 5000, "cpu")
    assert mode == "head" and "5000" in why
    assert choose_mode(spec, 5000, "cuda")[0] == "full"
    assert choose_mode(TrainSpec("text", "d", "o", mode="head"), 10, "cuda")[0] == "head"
    filled = spec.resolved("head")
    assert filled.epochs and filled.lr and filled.early_stopping
    with pytest.raises(ValueError):
        TrainSpec("audio", "d", "o")


def test_length_grouped_batches_cover_everything_once_with_little_padding() -> None:
    g = torch.Generator().manual_seed(0)
    lengths = [int(x) for x in torch.randint(1, 300, (1000,), generator=g)]
    batches = length_grouped_batches(lengths, 16, torch.Generator().manual_seed(1), group=8)
    assert sorted(i for b in batches for i in b) == list(range(1000))
    assert len(batches) == 63
    padded = sum(max(lengths[i] for i in b) * len(b) for b in batches)
    assert padded < 1.2 * sum(lengths)  # random batches of 16 pad about 1.8x
    again = length_grouped_batches(lengths, 16, torch.Generator().manual_seed(1), group=8)
    assert again == batches


def test_finish_on_request_keeps_the_best_epoch_so_far_and_says_why(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from fmstudio.core.events import Log
    from fmstudio.core.train import loop

    monkeypatch.setattr(loop, "STEP_EVENT_INTERVAL_S", 0.0)  # an event for every step

    train, val = blobs()
    gate = PauseGate()
    net = model()
    events: list = []

    def watch(event) -> None:
        events.append(event)
        epochs_done = sum(isinstance(e, EpochMetrics) for e in events)
        if epochs_done == 3 and isinstance(event, StepMetrics):
            gate.finish()  # after the first step of epoch 4

    result = run_to_end(
        fit(net, train, val, config(lr=5.0, epochs=30, warmup=0), pause=gate), watch
    )
    assert result.finished_on_request and len(result.history) == 3
    best = min(result.history, key=lambda h: h.val_loss)
    assert result.best_epoch == best.epoch
    with torch.no_grad():
        x, y = val.tensors
        loss = nn.functional.cross_entropy(net(x), y).item()
    assert loss == pytest.approx(best.val_loss, rel=1e-4), "the best epoch's weights, not epoch 4's"
    lines = [e.message for e in events if isinstance(e, Log)]
    assert "head: finished on request after 3 epochs" in lines
    assert any(f"keeping epoch {best.epoch}: the lowest validation loss" in m for m in lines)


def test_why_best_names_an_epoch_with_higher_accuracy() -> None:
    from fmstudio.core.train.loop import why_best

    history = [
        EpochMetrics("full", 1, 3, 1.0, 0.5, 0.40, 0.80, True, 1.0),
        EpochMetrics("full", 2, 3, 0.9, 0.6, 0.45, 0.90, False, 1.0),
        EpochMetrics("full", 3, 3, 0.8, 0.7, 0.50, 0.85, False, 1.0),
    ]
    assert why_best(history, 1) == (
        "keeping epoch 1: the lowest validation loss (0.4000); validation accuracy was higher "
        "at epoch 2 (90.0%)"
    )
    assert why_best(history[1:2], 2) == "keeping epoch 2: the lowest validation loss (0.4500)"


def test_validation_shares_merge_into_the_whole_sets_figures() -> None:
    """Under torchrun each process scores every world-th example; the merge must give what one
    process scoring them all would: means by examples, WER by words, predictions in order."""
    wer = {"decides": Decider("wer")}
    rank0 = (
        [0, 2, 4],
        Validation(0.3, 2 / 3, [1, 0, 1], [0.9, 0.8, 0.7], {"wer": 0.5}, {"wer": 10}, **wer),
    )
    rank1 = ([1, 3], Validation(0.8, 1 / 2, [0, 0], [0.6, 0.5], {"wer": 0.1}, {"wer": 30}, **wer))
    whole = Validation.merge([rank0, rank1])
    assert whole.loss == pytest.approx((0.3 * 3 + 0.8 * 2) / 5)
    assert whole.accuracy == pytest.approx(3 / 5)
    assert whole.predictions == [1, 0, 0, 0, 1] and whole.scores == [0.9, 0.6, 0.8, 0.5, 0.7]
    assert whole.metrics["wer"] == pytest.approx((5 + 3) / 40) and whole.weights["wer"] == 40
    assert whole.decides == Decider("wer")
    assert Validation.merge([rank0]) is rank0[1]


def test_a_stop_that_lands_during_the_vote_waits_for_the_next_vote(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Under torchrun a SIGTERM can reach one process while all of them vote on stopping: that
    process must go on with the others (which voted to go on) and stop at the next vote."""
    from fmstudio.core.train import distributed

    cancel = CancelToken()

    def vote(flag: bool) -> bool:  # the others' votes are all "go on"
        cancel.cancel()  # the signal lands mid-vote
        return flag

    monkeypatch.setattr(distributed, "anyone", vote)
    distributed.stop_together(cancel)
    with pytest.raises(Cancelled):
        distributed.stop_together(cancel)


class ScriptedF1(Classification):
    """A classifier objective whose validation also reports an "F1" that the test scripts:
    it disagrees with the loss, so the test sees which figure picked the epoch."""

    def __init__(self, f1_by_call: list[float]) -> None:
        super().__init__()
        object.__setattr__(self, "f1_by_call", f1_by_call)

    def validate(self, model, batches, cancel) -> Validation:  # type: ignore[override]
        scored = super().validate(model, batches, cancel)
        scored.metrics = {"f1": self.f1_by_call.pop(0) if self.f1_by_call else 0.0}
        scored.decides = Decider("f1", higher_is_better=True)
        return scored


def test_a_new_metric_picks_the_epoch_without_loop_edits() -> None:
    """An objective names its own figure and which way is better (a detector's mAP, a sound
    classifier's F1): the loop keeps that figure's best epoch, and the events, the history
    and the "keeping epoch" line carry it by name."""
    from fmstudio.core.events import Log
    from fmstudio.core.train.history import MetricHistory

    train, val = blobs()
    f1s = [0.2, 0.9, 0.4, 0.3, 0.5, 0.1]  # epoch 2 is best by F1; the loss keeps falling
    events: list = []
    result = run_to_end(
        fit(nn.Linear(4, 2), train, val, config(), objective=ScriptedF1([*f1s, 0.0])),
        events.append,
    )
    assert result.best_epoch == 2
    assert min(result.history, key=lambda h: h.val_loss).epoch != 2  # the loss would not
    assert [h.val_metrics["f1"] for h in result.history] == f1s
    assert result.history[1].to_json()["val_f1"] == 0.9
    assert EpochMetrics.from_json(result.history[1].to_json()) == result.history[1]
    assert "val F1 90.0%" in result.history[1].summary()
    lines = [e.message for e in events if isinstance(e, Log)]
    assert any("keeping epoch 2: the highest validation F1 (90.0%)" in m for m in lines), lines
    history = MetricHistory()
    for event in events:
        history.add(event)
    assert history.val_metrics == {"f1": f1s} and history.val_metric_epochs["f1"] == [
        1,
        2,
        3,
        4,
        5,
        6,
    ]


def test_an_old_checkpoints_history_still_reads() -> None:
    """History saved before figures were named (with `val_wer`) loads into `val_metrics`."""
    old = EpochMetrics("full", 1, 3, 1.0, 0.5, 0.4, 0.8, True, 1.0).to_json() | {"val_wer": 0.25}
    assert EpochMetrics.from_json(old).val_metrics == {"wer": 0.25}
    classifier = EpochMetrics("full", 1, 3, 1.0, 0.5, 0.4, 0.8, True, 1.0).to_json()
    assert EpochMetrics.from_json(classifier | {"val_wer": None}).val_metrics == {}


def test_the_clis_json_lines_print_named_figures_flat() -> None:
    """`--json-progress` prints an epoch's named figures as `val_<name>`, as before they
    were named (scripts read `val_wer`)."""
    import json

    from fmstudio.cli.progress import event_to_json

    epoch = EpochMetrics("full", 1, 3, 1.0, 0.5, 0.4, 0.8, True, 1.0, {"wer": 0.25})
    line = json.loads(event_to_json(epoch))
    assert line["event"] == "epochmetrics" and line["val_wer"] == 0.25
    assert "val_metrics" not in line


class SlowValidation(Classification):
    """Validation that takes a while per batch, as decoding every speech clip does."""

    def validate(self, model, batches, cancel):
        def slowly():
            for batch in batches:
                time.sleep(0.12)
                yield batch

        return super().validate(model, slowly(), cancel)


def test_a_long_validation_says_how_far_it_is_and_stop_ends_it() -> None:
    """The wizard showed nothing for minutes of validation, its bar at "ETA 00:00"."""
    train, val = blobs(96)
    events: list = []
    slow = SlowValidation(None, 0.0)
    run_to_end(fit(model(), train, val, config(epochs=1), objective=slow), events.append)
    said = [e for e in events if isinstance(e, Progress) and "validating" in e.message]
    assert any(e.message == "head: validating after epoch 1" for e in said)
    assert said[-1].total == 2 and 0 < said[-1].done <= 2  # 24 examples, batches of 16
    assert all(e.fraction == pytest.approx(1.0) for e in said)  # the bar stays where it is

    cancel = CancelToken()

    def stop_when_validating(event) -> None:
        if isinstance(event, Progress) and "validating" in event.message:
            cancel.cancel()

    started = time.monotonic()
    with pytest.raises(Cancelled):
        run_to_end(
            fit(model(), train, val, config(epochs=1), objective=slow, cancel=cancel),
            stop_when_validating,
        )
    assert time.monotonic() - started < 2.0


def test_a_resumed_runs_history_drops_what_the_stop_discarded_and_keeps_the_warm_up() -> None:
    """After Stop → Resume the loss curve drew the discarded steps under the new ones; the
    warm-up's epochs were not drawn, so the charts stayed empty for minutes."""
    from fmstudio.core.train.events import WARM_UP
    from fmstudio.core.train.history import MetricHistory

    def step(n: int, loss: float) -> StepMetrics:
        return StepMetrics("full", 1 + (n - 1) // 4, n, 12, loss, 1e-3, 10.0, 1.0)

    def epoch(n: int, phase: str = "full", total: int = 3) -> EpochMetrics:
        return EpochMetrics(phase, n, total, 1.0 / n, 0.5, 0.9 / n, 0.5, True, 1.0)

    history = MetricHistory()
    for n in (1, 2):
        history.add(epoch(n, WARM_UP, total=2))
    assert history.warm_epochs == [-0.5, 0.0] and history.warm_val_loss == [0.9, 0.45]
    for n in range(1, 11):  # epochs 1 and 2 finished, epoch 3 stopped at step 10
        history.add(step(n, 1.0 / n))
        if n % 4 == 0:
            history.add(epoch(n // 4))
    history.add(step(9, 5.0))  # resumed after epoch 2: steps 9 and 10 were thrown away
    assert history.steps == [1, 2, 3, 4, 5, 6, 7, 8, 9] and history.loss[-1] == 5.0
    history.add(epoch(2))  # a run resumed from epoch 1's checkpoint redoes epoch 2
    assert history.epochs == [1, 2] and history.val_epochs == [1, 2]
    assert history.val_loss == [0.9, 0.45]


def test_finish_now_before_the_first_epoch_ends_keeps_the_starting_weights(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Finish now after 0 epochs kept the start weights for images (whose start is scored)
    but saved a part-trained epoch for speech (whose start is not)."""
    from fmstudio.core.train import loop

    monkeypatch.setattr(loop, "STEP_EVENT_INTERVAL_S", 0.0)
    train, val = blobs()
    gate = PauseGate()
    net = model()
    start = {k: v.clone() for k, v in net.state_dict().items()}

    def watch(event) -> None:
        if isinstance(event, StepMetrics) and event.step == 2:
            gate.finish()

    result = run_to_end(fit(net, train, val, config(lr=5.0), pause=gate), watch)
    assert result.finished_on_request and not result.history
    assert all(torch.equal(net.state_dict()[k], v) for k, v in start.items())
