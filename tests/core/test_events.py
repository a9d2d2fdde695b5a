from __future__ import annotations

import pytest

from fmstudio.core.errors import Cancelled
from fmstudio.core.events import CancelToken, EtaTracker, Log, Progress, phase, run_to_end


def test_cancel_token_raises_once_set() -> None:
    token = CancelToken()
    token.raise_if_cancelled()
    token.cancel()
    assert token.cancelled
    with pytest.raises(Cancelled):
        token.raise_if_cancelled()


def test_phase_maps_sub_job_progress_onto_parent_range() -> None:
    def sub():
        yield Progress(0.0, "a")
        yield Log("passes unchanged")
        yield Progress(1.0, "b")
        yield Progress(2.0, "clamped")
        return "value"

    seen: list[object] = []
    assert run_to_end(phase(sub(), 0.5, 0.75), seen.append) == "value"
    fractions = [(e.fraction, e.message) for e in seen if isinstance(e, Progress)]
    assert fractions == [(0.5, "a"), (0.75, "b"), (0.75, "clamped")]
    assert Log("passes unchanged") in seen


def test_phase_closes_the_sub_job_when_closed() -> None:
    closed: list[bool] = []

    def sub():
        try:
            yield Progress(0.1)
            yield Progress(0.2)
        finally:
            closed.append(True)

    outer = phase(sub(), 0.0, 0.5)
    next(outer)
    outer.close()
    assert closed == [True]


def test_eta_tracker_uses_average_rate() -> None:
    now = [100.0]
    tracker = EtaTracker(10, clock=lambda: now[0])
    now[0] = 102.0
    event = tracker.progress(4, "x")
    assert event.fraction == pytest.approx(0.4)
    assert event.eta_s == pytest.approx(3.0)
    assert (event.done, event.total) == (4, 10)
    assert tracker.progress(10).eta_s == 0.0


def test_eta_tracker_empty_job_is_complete() -> None:
    assert EtaTracker(0).progress(0).fraction == 1.0


def test_run_to_end_returns_value_and_forwards_events() -> None:
    def job():
        yield Log("hi")
        yield Progress(0.5)
        return 42

    events: list[object] = []
    assert run_to_end(job(), events.append) == 42
    assert [type(e) for e in events] == [Log, Progress]
