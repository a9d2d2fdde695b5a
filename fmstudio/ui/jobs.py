"""One job controller that every tab, panel and wizard page *has*: start one job at a time,
stop it, shut it down, and turn its events into signals.

Jobs are named by the dotted path of a core function (`lazy_job`), so the module that
imports torch is imported by the factory, on the worker thread, never on the GUI thread.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Generator
from typing import Any

from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtWidgets import QWidget

from fmstudio.core.events import CancelToken, Event, Log, Partial, Progress, Runtime
from fmstudio.core.modalities import import_target
from fmstudio.ui.errors import is_expected, show_error_dialog
from fmstudio.ui.worker import JobFactory, Worker


def lazy_job(target: str, request: object, **options: Any) -> JobFactory:
    """A factory for `target(request, cancel=token, **options)`, imported on the worker."""

    def factory(token: CancelToken) -> Generator[Event, None, Any]:
        job = import_target(target)
        generator: Generator[Event, None, Any] = job(request, cancel=token, **options)
        return generator

    return factory


DoneHandler = Callable[[Any, float], None]
"""What a start does with its job's result and the seconds it took (its own type, per job)."""
FailedHandler = Callable[[BaseException], None]


class JobController(QObject):
    """Runs one job at a time on a `Worker` and says what happens as signals.

    Busy lasts from `start` until the job's end has been handled (its result, error or
    cancellation signal came first), so a slot of `busy_changed(False)` may start the next.
    A start can bring its own `on_done` and `on_failed` (superqt's `_connect`): one
    controller then runs jobs of several result types, each handled by a function typed for
    it, and a handler runs after the signals, so its status line is the one that stays.
    """

    started = Signal(str)
    progress = Signal(object)
    log = Signal(str)
    logged = Signal(object)
    """The same lines as `log`, as their events (an `Activity` is over once work goes on)."""
    runtime = Signal(object)
    """How the job computes (the `Runtime` event; it is a log line too)."""
    partial = Signal(object)
    other_event = Signal(object)
    """Events that are not progress, log lines or partial results (metrics, levels, …)."""
    done = Signal(object, float)
    failed = Signal(object)
    cancelled = Signal()
    busy_changed = Signal(bool)

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self._owner = parent
        self._worker: Worker | None = None
        self._busy = False
        self._closed = False
        self._started = 0.0
        self._on_done: DoneHandler | None = None
        self._on_failed: FailedHandler | None = None

    def is_busy(self) -> bool:
        return self._busy

    def start(
        self,
        factory: JobFactory,
        label: str = "Working…",
        *,
        on_done: DoneHandler | None = None,
        on_failed: FailedHandler | None = None,
    ) -> bool:
        """Run a job unless one is already running (or the controller was shut down);
        `on_done(result, seconds)` and `on_failed(exc)` handle this job's end alone."""
        if self._busy or self._closed:
            return False
        self._on_done, self._on_failed = on_done, on_failed
        if self._worker is not None:
            self._worker.deleteLater()
        worker = self._worker = Worker(factory, self)
        worker.yielded.connect(self._on_event)
        worker.returned.connect(self._on_returned)
        worker.errored.connect(self._on_errored)
        worker.cancelled.connect(self.cancelled)
        worker.finished.connect(self._on_finished)
        self._started = time.monotonic()
        self._set_busy(True)
        self.started.emit(label)
        worker.start()
        return True

    @Slot()
    def stop(self) -> None:
        """Ask the job to stop at its next check; `cancelled` follows."""
        if self._worker is not None and self._busy:
            self._worker.cancel()

    def wait_stopped(self, timeout_ms: int = 30_000) -> None:
        """Cancel the running job and wait for it (a wizard page being left)."""
        if self._worker is not None:
            self._worker.cancel()
            self._worker.wait(timeout_ms)

    def shutdown(self, timeout_ms: int = 30_000) -> None:
        """Cancel and wait, for good: the window is closing and no thread may outlive it.

        No job starts afterwards, so a queued start (a timer, a pending file) cannot leave a
        thread behind the closed window.
        """
        self.begin_shutdown()
        self.wait_stopped(timeout_ms)

    def begin_shutdown(self) -> None:
        """Cancel for good without waiting: the window cancels every job at once, then waits
        for all of them together."""
        self._closed = True
        if self._worker is not None:
            self._worker.cancel()

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.busy_changed.emit(busy)

    @Slot(object)
    def _on_event(self, event: Event) -> None:
        if isinstance(event, Progress):
            self.progress.emit(event)
        elif isinstance(event, Partial):
            self.partial.emit(event)
        elif isinstance(event, Runtime):  # shown once, beside the device, not as a line too
            self.runtime.emit(event)
        elif isinstance(event, Log):
            self.log.emit(event.message)
            self.logged.emit(event)
        else:
            self.other_event.emit(event)

    @Slot(object)
    def _on_returned(self, result: object) -> None:
        seconds = time.monotonic() - self._started
        self.done.emit(result, seconds)
        if self._on_done is not None:
            self._on_done(result, seconds)

    @Slot(object)
    def _on_errored(self, exc: BaseException) -> None:
        self.failed.emit(exc)
        if self._on_failed is not None:
            self._on_failed(exc)
        if not is_expected(exc):
            show_error_dialog(self._owner, exc)

    @Slot()
    def _on_finished(self) -> None:
        self._set_busy(False)
