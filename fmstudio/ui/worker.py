"""The one adapter from a core job (a generator) to Qt signals on a QThread.

Connect the signals to bound slots of objects living in the GUI thread: a lambda connected
to them runs in the worker thread (checked with PySide6 6.12), where widgets must not be touched.
"""

from __future__ import annotations

import logging
import weakref
from collections.abc import Callable, Generator
from typing import Any, ClassVar

from PySide6.QtCore import QObject, Qt, QThread, Signal, Slot

from fmstudio.core.errors import Cancelled
from fmstudio.core.events import CancelToken, Event

log = logging.getLogger(__name__)

JobFactory = Callable[[CancelToken], Generator[Event, None, Any]]


class _Runner(QObject):
    """Lives on the worker thread and iterates the job there."""

    yielded = Signal(object)
    returned = Signal(object)
    errored = Signal(object)
    cancelled = Signal()
    finished = Signal()

    def __init__(self, factory: JobFactory, token: CancelToken) -> None:
        super().__init__()
        self._factory = factory
        self._token = token

    @Slot()
    def run(self) -> None:
        try:
            job = self._factory(self._token)
            while True:
                try:
                    event = next(job)
                except StopIteration as stop:
                    self.returned.emit(stop.value)
                    break
                self.yielded.emit(event)
                if self._token.cancelled:
                    job.close()
                    raise Cancelled("cancelled by the user")
        except Cancelled:
            self.cancelled.emit()
        except BaseException as exc:  # every failure must reach the GUI, never kill the thread
            log.exception("job failed")
            self.errored.emit(exc)
        finally:
            self.finished.emit()


class Worker(QObject):
    """Runs one job on its own QThread; `cancel()` may be called from the GUI thread.

    `yielded`, `returned`, `errored` and `cancelled` are the runner's own signals (queued to
    the receivers' thread); `finished` comes once the thread itself has ended.
    """

    finished = Signal()

    _live: ClassVar[weakref.WeakSet[Worker]] = weakref.WeakSet()

    def __init__(self, factory: JobFactory, parent: QObject | None = None) -> None:
        super().__init__(parent)
        Worker._live.add(self)
        self.token = CancelToken()
        self._thread = QThread()
        self._thread.setObjectName("fmstudio-worker")
        self._runner = _Runner(factory, self.token)
        self._runner.moveToThread(self._thread)
        self._thread.started.connect(self._runner.run)
        self.yielded = self._runner.yielded
        self.returned = self._runner.returned
        self.errored = self._runner.errored
        self.cancelled = self._runner.cancelled
        # Direct: quit() runs on the worker thread as the job ends. Queued to the GUI thread,
        # it would wait for a GUI thread that is itself blocked in `wait()` (closing the
        # window): the thread never ended, and every close waited out its 30 s timeout.
        self._runner.finished.connect(self._thread.quit, Qt.ConnectionType.DirectConnection)
        self._thread.finished.connect(self._on_thread_finished)

    def start(self) -> None:
        self._thread.start()

    def cancel(self) -> None:
        self.token.cancel()

    def is_running(self) -> bool:
        return self._thread.isRunning()

    def wait(self, msecs: int = 30_000) -> bool:
        """Block until the thread ends (used when the window closes)."""
        return self._thread.wait(msecs)

    @classmethod
    def running(cls) -> list[Worker]:
        """Workers whose thread still runs (tests fail when one outlives them)."""
        return [w for w in list(cls._live) if w.is_running()]

    @Slot()
    def _on_thread_finished(self) -> None:
        self.finished.emit()
