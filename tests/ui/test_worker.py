from __future__ import annotations

import threading

import pytest

from fmstudio.core.errors import Cancelled
from fmstudio.core.events import Activity, CancelToken, Log, Progress
from fmstudio.ui.worker import Worker


def test_events_then_result_in_order(qtbot) -> None:
    thread_names: list[str] = []

    def job(token: CancelToken):
        thread_names.append(threading.current_thread().name)
        yield Log("start")
        yield Progress(0.5)
        return "result"

    worker = Worker(job)
    seen: list[object] = []
    returned: list[object] = []
    worker.yielded.connect(seen.append)
    worker.returned.connect(returned.append)
    signals = [worker.yielded, worker.yielded, worker.returned, worker.finished]
    with qtbot.waitSignals(signals, order="strict", timeout=10_000):
        worker.start()
    assert returned == ["result"]
    assert [type(e) for e in seen] == [Log, Progress]
    assert thread_names and thread_names[0] != threading.main_thread().name


def test_exception_is_emitted_not_raised(qtbot) -> None:
    def job(token: CancelToken):
        yield Log("about to fail")
        raise RuntimeError("boom")

    worker = Worker(job)
    errors: list[BaseException] = []
    worker.errored.connect(errors.append)
    with qtbot.waitSignals([worker.errored, worker.finished], order="strict", timeout=10_000):
        worker.start()
    (exc,) = errors
    assert isinstance(exc, RuntimeError) and str(exc) == "boom"


def test_cancel_stops_a_long_job(qtbot) -> None:
    started = threading.Event()
    steps: list[int] = []

    def job(token: CancelToken):
        for i in range(10_000):
            started.set()
            token.raise_if_cancelled()
            steps.append(i)
            threading.Event().wait(0.005)
            yield Progress(i / 10_000)
        return "not reached"

    worker = Worker(job)
    with qtbot.waitSignals([worker.cancelled, worker.finished], order="strict", timeout=10_000):
        worker.start()
        assert started.wait(5)
        worker.cancel()
    assert len(steps) < 10_000


def test_pre_cancelled_token_never_returns(qtbot) -> None:
    def job(token: CancelToken):
        token.raise_if_cancelled()
        yield Log("x")
        return 1

    worker = Worker(job)
    worker.cancel()
    returned: list[object] = []
    worker.returned.connect(returned.append)
    with qtbot.waitSignal(worker.finished, timeout=10_000):
        worker.start()
    assert returned == []
    with pytest.raises(Cancelled):
        worker.token.raise_if_cancelled()


def test_no_job_starts_once_the_controller_is_shut_down(qtbot) -> None:
    from PySide6.QtWidgets import QWidget

    from fmstudio.ui.jobs import JobController

    owner = QWidget()
    qtbot.addWidget(owner)
    jobs = JobController(owner)

    def job(token: CancelToken):
        yield Progress(1.0)
        return "ran"

    jobs.wait_stopped()  # leaving a wizard page: later jobs still start
    with qtbot.waitSignal(jobs.done, timeout=10_000):
        assert jobs.start(job)
    qtbot.waitUntil(lambda: not jobs.is_busy(), timeout=10_000)
    jobs.shutdown()  # the window closes: a late start (a queued timer) must not run
    assert not jobs.start(job) and not jobs.is_busy()


def test_closing_waits_only_until_the_job_stops(qtbot) -> None:
    """Shutdown cancels and returns as soon as the job has stopped, not at its timeout."""
    import time

    from PySide6.QtWidgets import QWidget

    from fmstudio.ui.jobs import JobController

    owner = QWidget()
    qtbot.addWidget(owner)
    jobs = JobController(owner)
    running = threading.Event()

    def job(token: CancelToken):
        for i in range(100_000):
            running.set()
            token.raise_if_cancelled()
            threading.Event().wait(0.01)
            yield Progress(i / 100_000)

    assert jobs.start(job)
    assert running.wait(10)
    start = time.monotonic()
    jobs.shutdown(timeout_ms=30_000)
    assert time.monotonic() - start < 2.0
    assert not Worker.running()


def test_a_loading_line_gives_way_once_work_goes_on_but_a_warning_stays(qtbot) -> None:
    from PySide6.QtWidgets import QWidget

    from fmstudio.ui.jobs import JobController
    from fmstudio.ui.widgets.job_status import JobStatus

    owner = QWidget()
    qtbot.addWidget(owner)
    jobs = JobController(owner)
    status = JobStatus(jobs)
    seen: list[str] = []
    jobs.progress.connect(lambda _event: seen.append(status.text()))

    def job(token: CancelToken):
        yield Activity("Loading my-voice…")  # an activity: over once work goes on
        yield Progress(0.0, done=0, total=2)
        yield Progress(0.5, done=1, total=2)
        yield Log("b.wav: not a readable audio file")
        yield Progress(1.0, done=2, total=2)
        return "ran"

    with qtbot.waitSignal(jobs.done, timeout=10_000):
        jobs.start(job, "Transcribing…")
    assert seen == [
        "Loading my-voice…",
        "Transcribing…",
        "b.wav: not a readable audio file",
    ]
