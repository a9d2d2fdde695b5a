"""Record from the microphone with a level meter and live text; Stop transcribes the whole."""

from __future__ import annotations

import threading

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QCheckBox, QWidget

from fmstudio.core.data.inputs import InputId
from fmstudio.core.data.sources import AudioSource
from fmstudio.core.events import Event
from fmstudio.core.speech.events import LiveText
from fmstudio.core.speech.requests import Record
from fmstudio.ui.jobs import lazy_job
from fmstudio.ui.tabs.speech.options import SpeechOptionsBar
from fmstudio.ui.widgets.microphone_panel import MicrophonePanel, PanelWords, RecordState
from fmstudio.ui.worker import JobFactory

RECORD = "fmstudio.core.speech.record:record"
WORDS = PanelWords(
    start="● Record",
    stop="■ Stop recording",
    start_tip="Start recording from the microphone (Ctrl+R); press again to stop",
    stop_tip="Stop recording and transcribe it (Ctrl+R)",
    running="Recording…",
    finishing="Transcribing the recording…",
)

__all__ = ["RecordPanel", "RecordState"]


class RecordPanel(MicrophonePanel):
    live_text = Signal(object)
    """A `LiveText` while recording; `recorded` carries the `Recording` at the end."""

    def __init__(self, options: SpeechOptionsBar, parent: QWidget | None = None) -> None:
        self.options = options
        super().__init__(WORDS, parent)
        self.live = QCheckBox("Live text")
        self.live.setChecked(True)
        self.live.setToolTip("Show text while you speak; a final pass runs when you stop")
        self.controls.insertWidget(self.controls.indexOf(self.record_button) + 1, self.live)

    def job(
        self, source: AudioSource | None, input_device: InputId, stop: threading.Event
    ) -> JobFactory:
        self.options.remember()
        request = Record(
            source=source,
            input_device=input_device,
            model=self.options.model_name(),
            live=self.live.isChecked(),
            options=self.options.options(),
            device=self.options.device_name(),
        )
        return lazy_job(RECORD, request, stop=stop)

    def last_input(self) -> str:
        return self.options.settings.inputs.get("speech", "")

    def keep_input(self, name: str) -> None:
        self.options.settings.inputs = {**self.options.settings.inputs, "speech": name}

    def live_event(self, event: Event) -> None:
        if isinstance(event, LiveText):
            self.live_text.emit(event)
