"""The Sound tab: drop recordings or folders, or listen to the microphone, and see which
sounds each holds and when."""

from __future__ import annotations

import threading

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLabel, QWidget

from fmstudio.core.classify.results import ItemResult
from fmstudio.core.config import Settings
from fmstudio.core.data.inputs import InputId
from fmstudio.core.data.sources import AudioSource
from fmstudio.core.events import Event
from fmstudio.core.modalities import SOUND
from fmstudio.core.sound.requests import ClassifySounds, Listen
from fmstudio.core.sound.results import LiveSounds, SoundResult
from fmstudio.ui.jobs import lazy_job
from fmstudio.ui.tabs.classify_controls import ClassifyControls, Shortcut
from fmstudio.ui.tabs.classify_tab import ClassifyTab
from fmstudio.ui.widgets.microphone_panel import MicrophonePanel, PanelWords
from fmstudio.ui.worker import JobFactory

LISTEN = "fmstudio.core.sound.listen:listen"
LISTEN_KEYS = "Ctrl+M"
WORDS = PanelWords(
    start="● Listen",
    stop="■ Stop listening",
    start_tip=f"Name the microphone's sounds as they come ({LISTEN_KEYS}); the recording is "
    "kept and added to the table when you stop",
    stop_tip=f"Stop listening and add the recording to the table ({LISTEN_KEYS})",
    running="Listening…",
    finishing="Hearing the whole recording…",
)

SHOWN_SEGMENTS = 6
"""The detail column names this many stretches; the tooltip and the exports hold them all."""


def clock(seconds: float) -> str:
    """`1:05.3`: minutes and seconds to a tenth."""
    minutes, rest = divmod(seconds, 60)
    return f"{int(minutes)}:{rest:04.1f}"


def timeline_text(result: SoundResult, limit: int | None = SHOWN_SEGMENTS) -> str:
    """Which sound when, in one line: `0:00.0-0:02.7 Speech · 0:03.7-0:06.7 Telephone`."""
    parts = [f"{clock(s.start)}-{clock(s.end)} {s.label}" for s in result.segments]
    more = len(parts) - limit if limit is not None and len(parts) > limit else 0
    text = " · ".join(parts[:limit] if more else parts)
    return f"{text} · {more} more" if more else text or "nothing clear"


class ListenPanel(MicrophonePanel):
    """The microphone row: what is heard now, updated every half second or so."""

    heard_now = Signal(object)
    """A `LiveSounds` while listening; `recorded` carries the whole recording's result."""

    def __init__(self, controls: SoundControls, parent: QWidget | None = None) -> None:
        self.sound_controls = controls
        super().__init__(WORDS, parent)
        self.now = QLabel("")
        self.now.setToolTip("The sounds of the last second or two, best first")
        self.controls.insertWidget(self.controls.indexOf(self.meter) + 1, self.now, 2)
        self.jobs.busy_changed.connect(self._clear_when_done)

    def _clear_when_done(self, busy: bool) -> None:
        if not busy:  # what was heard last is not what is heard now
            self.now.setText("")

    def job(
        self, source: AudioSource | None, input_device: InputId, stop: threading.Event
    ) -> JobFactory:
        c = self.sound_controls
        request = Listen(c.remember(), c.top_k.value(), c.settings.device, source, input_device)
        self.now.setText("")
        return lazy_job(LISTEN, request, stop=stop)

    def last_input(self) -> str:
        return self.sound_controls.settings.inputs.get("sound", "")

    def keep_input(self, name: str) -> None:
        settings = self.sound_controls.settings
        settings.inputs = {**settings.inputs, "sound": name}

    def live_event(self, event: Event) -> None:
        if isinstance(event, LiveSounds):
            self.now.setText(
                " · ".join(
                    f"<b>{p.label}</b> {p.score:.0%}" if i == 0 else f"{p.label} {p.score:.0%}"
                    for i, p in enumerate(event.predictions[:3])
                )
            )
            self.heard_now.emit(event)


class SoundControls(ClassifyControls):
    """The model row and the microphone row; each result's detail is its timeline."""

    item_header = "Recording"
    detail_header = "Which sound when / error"

    def __init__(self, settings: Settings) -> None:
        hint = (
            "Drop recordings (audio or video) or folders here, or use Add recordings… (Ctrl+O): "
            "each one's sounds, and which sound when."
        )
        super().__init__(settings, SOUND.task, "sound", hint)
        self.listen = ListenPanel(self)
        self.listen.recorded.connect(self._recorded)
        self.below.addWidget(self.listen)

    def request(self, paths: tuple[str, ...]) -> tuple[ClassifySounds, str]:
        model = self.remember()
        request = ClassifySounds(paths, model, self.top_k.value(), device=self.settings.device)
        return request, f"Listening with {model or SOUND.default_model}…"

    def detail(self, result: ItemResult) -> str:
        return timeline_text(result) if isinstance(result, SoundResult) and result.ok else ""

    def _recorded(self, result: SoundResult | None) -> None:
        if result is None:
            self.said.emit("Nothing was recorded.")
            return
        self.results_given.emit([result])
        self.said.emit(f"Recorded {result.duration:.1f} s into {result.path}.")

    def shortcuts(self) -> list[Shortcut]:
        return [("Listen or stop", LISTEN_KEYS, self.listen.toggle)]

    def is_busy(self) -> bool:
        return self.listen.is_busy()

    def shutdown(self, timeout_ms: int = 30_000) -> None:
        self.listen.shutdown(timeout_ms)


def SoundTab(settings: Settings, parent: QWidget | None = None) -> ClassifyTab:
    """The Sound tab (the task table names this, as it names any task's tab)."""
    return ClassifyTab(settings, SOUND, SoundControls(settings), parent)
