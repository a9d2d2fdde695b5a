"""A microphone row: input choice, a record button, time and level, and the job that records.

What a task does with the sound (live text, live sounds) is its subclass's: it makes the job
(`job`) and takes the job's own events (`live_event`). The panel's state is an explicit
`RecordState`; nothing is read back from button text. PortAudio is probed on the worker when
the panel opens, so the window never waits for it.
"""

from __future__ import annotations

import enum
import threading
from collections.abc import Callable, Generator
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QTimer, Signal, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from fmstudio.core.data.capture import CaptureEnded, Level
from fmstudio.core.data.inputs import InputId, Inputs
from fmstudio.core.data.sources import AudioSource
from fmstudio.core.events import CancelToken, Event
from fmstudio.core.modalities import import_target
from fmstudio.ui.jobs import JobController
from fmstudio.ui.widgets.job_status import JobStatus
from fmstudio.ui.worker import JobFactory

PROBE = "fmstudio.core.data.inputs:probe_inputs"


class RecordState(enum.Enum):
    PROBING = "looking for microphones"
    UNAVAILABLE = "recording is off"
    IDLE = "ready"
    RECORDING = "recording"
    FINISHING = "finishing the recording"


@dataclass(frozen=True)
class PanelWords:
    """What the panel's button and status say for a task."""

    start: str
    """The button while idle ("● Record")."""
    stop: str
    start_tip: str
    stop_tip: str
    running: str
    """The status while the job runs ("Recording…")."""
    finishing: str
    """The status once stopped, while the job finishes ("Transcribing the recording…")."""


def _probe_job(token: CancelToken) -> Generator[Event, None, Any]:
    probe: Generator[Event, None, Any] = import_target(PROBE)(cancel=token)
    return probe


class MicrophonePanel(QWidget):
    recording_started = Signal()
    recorded = Signal(object)
    """What the job returned once the recording (and what follows it) has finished."""
    state_changed = Signal(object)

    def __init__(self, words: PanelWords, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.words = words
        self.state = RecordState.PROBING
        self.unavailable: str | None = None
        self.source_factory: Callable[[], AudioSource] | None = None
        """Tests set this to play a file as the microphone; None opens the chosen input."""
        self._stop = threading.Event()
        self.jobs = JobController(self)
        self.status = JobStatus(self.jobs, stop_key=None)
        self.jobs.other_event.connect(self._on_event)
        self.jobs.busy_changed.connect(self._busy_changed)
        self._probe = JobController(self)
        self.status.stop_button.setToolTip(f"{words.stop_tip}, or cancel")
        self._build()
        self._set_state(RecordState.PROBING)
        QTimer.singleShot(0, self._start_probe)  # once the window is up

    def _build(self) -> None:
        self.input_device = QComboBox()
        self.input_device.addItem("looking for microphones…")
        self.record_button = QPushButton(self.words.start)
        self.record_button.clicked.connect(self.toggle)
        self.elapsed = QLabel("0:00")
        self.meter = QProgressBar()
        self.meter.setRange(0, 100)
        self.meter.setTextVisible(False)
        self.meter.setMaximumWidth(160)
        self.meter.setToolTip("Input level")
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(QLabel("Input:"))
        row.addWidget(self.input_device, 1)
        for widget in (self.record_button, self.elapsed, self.meter):
            row.addWidget(widget)
        self.controls = row
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(row)
        layout.addWidget(self.status)

    def _set_state(self, state: RecordState) -> None:
        self.state = state
        recording = state is RecordState.RECORDING
        self.record_button.setText(self.words.stop if recording else self.words.start)
        self.record_button.setEnabled(state in (RecordState.IDLE, RecordState.RECORDING))
        self.record_button.setToolTip(
            f"Recording is off: {self.unavailable}"
            if state is RecordState.UNAVAILABLE
            else self.words.stop_tip
            if recording
            else self.words.start_tip
        )
        self.input_device.setEnabled(state is RecordState.IDLE)
        self.status.setVisible(state in (RecordState.RECORDING, RecordState.FINISHING))
        if state is RecordState.FINISHING:  # not "Recording…" through what follows
            self.status.relabel(self.words.finishing)
        self.state_changed.emit(state)

    @Slot()
    def _start_probe(self) -> None:
        self._probe.start(
            _probe_job,
            "Looking for microphones…",
            on_done=self._probed,
            on_failed=self._probe_failed,
        )

    @Slot(object, float)
    def _probed(self, inputs: Inputs, _elapsed: float) -> None:
        self.input_device.clear()
        self.unavailable = inputs.unavailable
        if self.unavailable:
            self.input_device.addItem("recording off")
            self.input_device.setToolTip("\n".join(filter(None, (self.unavailable, inputs.note))))
            self._set_state(RecordState.UNAVAILABLE)
            return
        for index, name in inputs.devices:
            self.input_device.addItem(name, index)
        self.input_device.setCurrentIndex(max(0, self.input_device.findText(self.last_input())))
        self.input_device.setToolTip(
            "Where to record from: a microphone, or the computer's own sound"
            + (f"\n{inputs.note}" if inputs.note else "")
        )
        self._set_state(RecordState.IDLE)

    @Slot(object)
    def _probe_failed(self, exc: BaseException) -> None:
        self._probed(Inputs(f"the audio devices could not be listed ({exc})"), 0.0)

    def use_source(self, factory: Callable[[], AudioSource]) -> None:
        """Record from `factory()` instead of a microphone (tests, machines without one)."""
        self.source_factory = factory
        self.unavailable = None
        self._set_state(RecordState.IDLE)

    @Slot()
    def toggle(self) -> None:
        """Start recording, or stop the recording that runs (what follows then runs)."""
        if self.state is RecordState.RECORDING:
            self._stop.set()
            self._set_state(RecordState.FINISHING)
        elif self.state is RecordState.IDLE:
            self.start()

    def job(
        self, source: AudioSource | None, input_device: InputId, stop: threading.Event
    ) -> JobFactory:
        """The task's recording job (a `lazy_job`) from `source`, or the microphone."""
        raise NotImplementedError

    def live_event(self, event: Event) -> None:
        """An event of the task's own (live text, live sounds) while recording."""

    def last_input(self) -> str:
        """The name of the input the task recorded from last time ("" for the first)."""
        return ""

    def keep_input(self, name: str) -> None:
        """Remember the input being recorded from, for the next start of the app."""

    def start(self) -> bool:
        self.keep_input(self.input_device.currentText())
        self._stop = threading.Event()
        source = self.source_factory() if self.source_factory is not None else None
        job = self.job(source, self.input_device.currentData(), self._stop)
        if not self.jobs.start(job, self.words.running, on_done=self._recorded):
            return False
        self._set_state(RecordState.RECORDING)
        self.recording_started.emit()
        return True

    @Slot(object)
    def _on_event(self, event: Event) -> None:
        if isinstance(event, Level):
            self.meter.setValue(min(100, int(event.peak * 100)))
            seconds = int(event.elapsed_s)
            self.elapsed.setText(f"{seconds // 60}:{seconds % 60:02d}")
        elif isinstance(event, CaptureEnded):
            if self.state is RecordState.RECORDING:
                self._set_state(RecordState.FINISHING)  # the source ended before Stop
        else:
            self.status.settle()  # the model is loaded: "Loading…" no longer stands
            self.live_event(event)

    @Slot(object, float)
    def _recorded(self, result: object, _elapsed: float) -> None:
        self.recorded.emit(result)

    @Slot(bool)
    def _busy_changed(self, busy: bool) -> None:
        if not busy:
            self.meter.setValue(0)
            self._set_state(RecordState.IDLE if not self.unavailable else RecordState.UNAVAILABLE)

    def is_busy(self) -> bool:
        return self.jobs.is_busy()

    def shutdown(self, timeout_ms: int = 30_000) -> None:
        self._stop.set()
        self.jobs.shutdown(timeout_ms)
        self._probe.shutdown(timeout_ms)
