"""Record from the microphone with a level meter and live text; Stop transcribes the whole.

The panel's state is an explicit `RecordState`; nothing is read back from button text.
PortAudio is probed on the worker when the panel opens, so the window never waits for it.
"""

from __future__ import annotations

import enum
import threading
from collections.abc import Callable, Generator
from typing import Any

from PySide6.QtCore import QTimer, Signal, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from fmstudio.core.data.capture import CaptureEnded, Level
from fmstudio.core.data.microphone import Inputs
from fmstudio.core.data.sources import AudioSource
from fmstudio.core.events import CancelToken, Event
from fmstudio.core.modalities import import_target
from fmstudio.core.speech.events import LiveText
from fmstudio.core.speech.requests import Record
from fmstudio.core.speech.transcripts import Recording
from fmstudio.ui.jobs import JobController, lazy_job
from fmstudio.ui.tabs.speech.options import SpeechOptionsBar
from fmstudio.ui.widgets.job_status import JobStatus

RECORD = "fmstudio.core.speech.record:record"
PROBE = "fmstudio.core.data.microphone:probe_inputs"


class RecordState(enum.Enum):
    PROBING = "looking for microphones"
    UNAVAILABLE = "recording is off"
    IDLE = "ready"
    RECORDING = "recording"
    FINISHING = "transcribing the recording"


def _probe_job(token: CancelToken) -> Generator[Event, None, Any]:
    probe: Generator[Event, None, Any] = import_target(PROBE)(cancel=token)
    return probe


class RecordPanel(QWidget):
    live_text = Signal(object)
    """A `LiveText` while recording."""
    recording_started = Signal()
    recorded = Signal(object)
    """The `Recording` once the recording (and its transcription) has finished."""
    state_changed = Signal(object)

    def __init__(self, options: SpeechOptionsBar, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.options = options
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
        self.status.stop_button.setToolTip("Stop recording and transcribe (Ctrl+R), or cancel")
        self._build()
        self._set_state(RecordState.PROBING)
        QTimer.singleShot(0, self._start_probe)  # once the window is up

    def _build(self) -> None:
        self.input_device = QComboBox()
        self.input_device.addItem("looking for microphones…")
        self.record_button = QPushButton("● Record")
        self.record_button.clicked.connect(self.toggle)
        self.live = QCheckBox("Live text")
        self.live.setChecked(True)
        self.live.setToolTip("Show text while you speak; a final pass runs when you stop")
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
        for widget in (self.record_button, self.live, self.elapsed, self.meter):
            row.addWidget(widget)
        self.controls = row
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(row)
        layout.addWidget(self.status)

    def _set_state(self, state: RecordState) -> None:
        self.state = state
        recording = state is RecordState.RECORDING
        self.record_button.setText("■ Stop recording" if recording else "● Record")
        self.record_button.setEnabled(state in (RecordState.IDLE, RecordState.RECORDING))
        self.record_button.setToolTip(
            f"Recording is off: {self.unavailable}"
            if state is RecordState.UNAVAILABLE
            else "Stop recording and transcribe it (Ctrl+R)"
            if recording
            else "Start recording from the microphone (Ctrl+R); press again to stop"
        )
        self.input_device.setEnabled(state is RecordState.IDLE)
        self.status.setVisible(state in (RecordState.RECORDING, RecordState.FINISHING))
        if state is RecordState.FINISHING:  # not "Recording…" through the final pass
            self.status.relabel("Transcribing the recording…")
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
            self.input_device.setToolTip(self.unavailable)
            self._set_state(RecordState.UNAVAILABLE)
            return
        for index, name in inputs.devices:
            self.input_device.addItem(name, index)
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
        """Start recording, or stop the recording that runs (it is then transcribed)."""
        if self.state is RecordState.RECORDING:
            self._stop.set()
            self._set_state(RecordState.FINISHING)
        elif self.state is RecordState.IDLE:
            self.start()

    def start(self) -> bool:
        self._stop = threading.Event()
        self.options.remember()
        request = Record(
            source=self.source_factory() if self.source_factory is not None else None,
            input_device=self.input_device.currentData(),
            model=self.options.model_name(),
            live=self.live.isChecked(),
            options=self.options.options(),
            device=self.options.device_name(),
        )
        job = lazy_job(RECORD, request, stop=self._stop)
        if not self.jobs.start(job, "Recording…", on_done=self._recorded):
            return False
        self._set_state(RecordState.RECORDING)
        self.recording_started.emit()
        return True

    @Slot(object)
    def _on_event(self, event: Event) -> None:
        if isinstance(event, LiveText):
            self.status.settle()  # the model is loaded: "Loading…" no longer stands
        if isinstance(event, Level):
            self.meter.setValue(min(100, int(event.peak * 100)))
            seconds = int(event.elapsed_s)
            self.elapsed.setText(f"{seconds // 60}:{seconds % 60:02d}")
        elif isinstance(event, LiveText):
            self.live_text.emit(event)
        elif isinstance(event, CaptureEnded) and self.state is RecordState.RECORDING:
            self._set_state(RecordState.FINISHING)  # the source ended before Stop

    @Slot(object, float)
    def _recorded(self, recording: Recording, _elapsed: float) -> None:
        self.recorded.emit(recording)

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
