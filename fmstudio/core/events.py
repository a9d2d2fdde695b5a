"""Events that jobs yield, the cancel token they honour, and progress helpers.

Every long job is a generator: it yields these frozen events and returns its result, so
the CLI, the GUI worker and the tests all drive the same code path.
"""

from __future__ import annotations

import threading
import time
import weakref
from collections.abc import Callable, Generator
from concurrent.futures import Future
from dataclasses import asdict, dataclass, field, replace
from typing import Any, Generic, TypeVar

from fmstudio.core.errors import Cancelled

R = TypeVar("R")
T = TypeVar("T")


@dataclass(frozen=True)
class Event:
    """Base class of everything a job yields."""

    def to_json(self) -> dict[str, Any]:
        """The event's fields as the CLI's JSON lines print them."""
        return asdict(self)


@dataclass(frozen=True)
class Progress(Event):
    """How far the job is: `fraction` in [0, 1], `done` of `total` items, ETA in seconds."""

    fraction: float
    message: str = ""
    done: int | None = None
    total: int | None = None
    eta_s: float | None = None

    def describe(self) -> str:
        """`3/10  ETA 00:05  message`: the progress line of the CLI and the window."""
        count = f"{self.done}/{self.total}" if self.total is not None else ""
        eta = f"ETA {format_duration(self.eta_s)}" if self.eta_s is not None else ""
        return "  ".join(part for part in (count, eta, self.message) if part)


@dataclass(frozen=True)
class Log(Event):
    """A line for the user (CLI stderr, GUI log pane)."""

    message: str
    level: str = "info"


@dataclass(frozen=True)
class Activity(Log):
    """What the job is busy with ("Loading efficientnet_lite0…"): a line that is over once
    work goes on, so the window's status line drops it at the next progress."""


@dataclass(frozen=True)
class Runtime(Log):
    """How a job computes (`path`: ONNX Runtime, bf16 autocast, PyTorch) and why not faster
    (`reason`): a log line that the window also keeps in its status bar."""

    path: str = ""
    reason: str = ""

    @classmethod
    def of(cls, path: str, reason: str = "") -> Runtime:
        """`Running on PyTorch on CPU (not ONNX Runtime: …)` as the log line."""
        return cls(f"Running on {path}" + (f" ({reason})" if reason else ""), "info", path, reason)


@dataclass(frozen=True)
class Partial(Event, Generic[T]):
    """A piece of the result that is ready before the job ends (one batch of predictions)."""

    items: tuple[T, ...] = field(default_factory=tuple)


class CancelToken:
    """Cooperative cancellation: the job checks it between batches, files and segments.

    Wraps a `threading.Event` so the GUI thread can set it directly while the worker runs.
    """

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def raise_if_cancelled(self) -> None:
        if self._event.is_set():
            raise Cancelled("cancelled by the user")

    def sleep(self, seconds: float) -> None:
        """Wait `seconds`, or until cancelled, which raises `Cancelled` at once."""
        self._event.wait(seconds)
        self.raise_if_cancelled()


def in_background(work: Callable[[], T], name: str) -> Future[T]:
    """`work` on a daemon thread of its own, its outcome in the future returned.

    For calls into C that no token can interrupt (a download, PortAudio starting): the job
    waits for the future with `wait_for`, so a Stop or a closing window need not wait for the
    call, which finishes (or hangs) on its own and never keeps the app from exiting.
    """
    outcome: Future[T] = Future()

    def run() -> None:
        try:
            outcome.set_result(work())
        except BaseException as exc:  # handed to whoever waits
            outcome.set_exception(exc)

    thread = threading.Thread(target=run, name=name, daemon=True)
    _background.add(thread)
    thread.start()
    return outcome


_background: weakref.WeakSet[threading.Thread] = weakref.WeakSet()


def background_settled(timeout: float) -> bool:
    """Whether every `in_background` call has returned, waiting up to `timeout` seconds.

    A daemon thread inside C++ (CTranslate2 loading a model) when the interpreter exits can
    abort the process ("terminate called without an active exception"): the app waits a
    little, then leaves without running finalizers if one is still busy."""
    deadline = time.monotonic() + timeout
    for thread in list(_background):
        thread.join(max(0.0, deadline - time.monotonic()))
    return not any(t.is_alive() for t in list(_background))


def wait_for(outcome: Future[T], cancel: CancelToken | None, timeout: float | None = None) -> T:
    """The future's result; `Cancelled` as soon as `cancel` is set, `TimeoutError` after
    `timeout` seconds. Neither stops the work behind the future."""
    deadline = None if timeout is None else time.monotonic() + timeout
    while True:
        try:
            return outcome.result(timeout=0.05)
        except TimeoutError:
            if cancel is not None:
                cancel.raise_if_cancelled()
            if deadline is not None and time.monotonic() > deadline:
                raise


class PauseGate:
    """Cooperative pause: a training job waits here between steps while the user has paused.

    The wait wakes up on resume and also polls the cancel token, so Stop works while paused.
    `finish` asks the run to end at the next step and keep its best epoch so far (where Stop
    throws the run away).
    """

    def __init__(self) -> None:
        self._running = threading.Event()
        self._running.set()
        self._finish = threading.Event()

    def pause(self) -> None:
        self._running.clear()

    def resume(self) -> None:
        self._running.set()

    def finish(self) -> None:
        self._finish.set()
        self._running.set()

    @property
    def finishing(self) -> bool:
        return self._finish.is_set()

    @property
    def paused(self) -> bool:
        return not self._running.is_set()

    def wait(self, cancel: CancelToken | None = None) -> float:
        """Block while paused; return the seconds spent waiting (ETAs leave them out)."""
        start = time.monotonic()
        while not self._running.wait(0.1):
            if cancel is not None:
                cancel.raise_if_cancelled()
        return time.monotonic() - start


def phase(job: Generator[Event, None, R], start: float, end: float) -> Generator[Event, None, R]:
    """Run a sub-job as the [start, end] slice of its parent's progress.

    `yield from phase(features(...), 0.1, 0.3)`: the bar moves once from 0 to 100 % across
    every phase of a job instead of restarting in each. Other events pass unchanged.
    """
    try:
        while True:
            try:
                event = next(job)
            except StopIteration as stop:
                return stop.value  # type: ignore[no-any-return]
            if isinstance(event, Progress):
                event = _within(event, start, end)
            yield event
    finally:
        job.close()


def _within(event: Progress, start: float, end: float) -> Progress:
    """A sub-job's progress as part of its parent's. The fill becomes the whole job's, so the
    sub-job's own count and time left move into the words ("full: epoch 1/3, step 19/57,
    02:10 left in this part"): a bar 40 % full that said "19/57" looked wrong."""
    fraction = min(max(event.fraction, 0.0), 1.0)
    words = [event.message] if event.message else []
    if event.total is not None:
        words.append(f"{event.done}/{event.total}")
    if event.eta_s is not None:
        words.append(f"{format_duration(event.eta_s)} left in this part")
    return replace(
        event,
        fraction=start + (end - start) * fraction,
        message=", ".join(words),
        done=None,
        total=None,
        eta_s=None,
    )


class EtaTracker:
    """Turns (done, total) into a Progress event with an ETA from the average rate so far."""

    def __init__(self, total: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.total = max(total, 0)
        self._clock = clock
        self._start = clock()

    def progress(self, done: float, message: str = "") -> Progress:
        """`done` may be fractional: a job part-way through a step of several items."""
        elapsed = self._clock() - self._start
        eta = None
        if 0 < done < self.total and elapsed > 0:
            eta = elapsed / done * (self.total - done)
        elif done >= self.total:
            eta = 0.0
        fraction = done / self.total if self.total else 1.0
        return Progress(fraction, message, int(done), self.total, eta)


def format_duration(seconds: float | None) -> str:
    """`mm:ss` (or `h:mm:ss`) for an ETA; `--:--` when it is not known yet."""
    if seconds is None:
        return "--:--"
    minutes, sec = divmod(round(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{sec:02d}" if hours else f"{minutes:02d}:{sec:02d}"


def run_to_end(
    job: Generator[Event, None, R], on_event: Callable[[Event], None] | None = None
) -> R:
    """Drive a job generator to completion and return its result."""
    while True:
        try:
            event = next(job)
        except StopIteration as stop:
            return stop.value  # type: ignore[no-any-return]
        if on_event is not None:
            on_event(event)
