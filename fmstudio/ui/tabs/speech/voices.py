"""The Speech tab's voice profiles: remembering a voice named in the table (a job, since
the speaker encoder reads the speech), and the Voices dialog that lists, renames, merges and
forgets them."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, Signal, Slot
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QInputDialog,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from fmstudio.core.errors import FmError
from fmstudio.core.speech.requests import EnrolVoice
from fmstudio.core.speech.voices import Voice, VoiceLibrary
from fmstudio.ui.jobs import JobController, lazy_job
from fmstudio.ui.widgets.confirm import ask_name
from fmstudio.ui.widgets.shortcuts import add_shortcut


class SpeakerVoices(QObject):
    """Enrols the voices the user names, one job at a time, in the order they were named."""

    said = Signal(str)

    def __init__(self, owner: QWidget) -> None:
        super().__init__(owner)
        self.jobs = JobController(owner)
        self.jobs.busy_changed.connect(self._next)
        self._waiting: list[EnrolVoice] = []

    @Slot(object)
    def remember(self, request: EnrolVoice) -> None:
        self._waiting.append(request)
        self._next(self.jobs.is_busy())

    @Slot(bool)
    def _next(self, busy: bool) -> None:
        if busy or not self._waiting:
            return
        request = self._waiting.pop(0)
        self.jobs.start(
            lazy_job("fmstudio.core.speech.speakers:enroll_speech", request),
            f"Learning {request.name}'s voice…",
            on_done=self._done,
            on_failed=lambda exc: self.said.emit(f"{request.name}'s voice was not saved: {exc}"),
        )

    def _done(self, voice: Voice, _seconds: float) -> None:
        self.said.emit(
            f"{voice.name}'s voice is remembered ({voice.seconds:.0f} s of speech in all): "
            "later transcriptions with speakers name it."
        )

    def shutdown(self, timeout_ms: int = 30_000) -> None:
        self._waiting.clear()
        self.jobs.shutdown(timeout_ms)


class VoicesDialog(QDialog):
    """Every enrolled voice, with the speech it was learnt from; rename, merge, forget."""

    def __init__(self, parent: QWidget | None = None, library: VoiceLibrary | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Voices")
        self.library = library or VoiceLibrary()
        self.list = QListWidget()
        self.list.setToolTip("Voices fmstudio names by itself when it finds speakers")
        self.note = QLabel()
        self.note.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        for text, tip, slot in (
            ("&Rename…", "Give the selected voice another name (F2)", self.rename),
            ("&Merge into…", "The selected voice is the same person as another", self.merge),
            ("&Forget", "Delete the selected voice's profile (Del)", self.forget),
        ):
            button = QPushButton(text)
            button.setToolTip(tip)
            button.clicked.connect(slot)
            buttons.addButton(button, QDialogButtonBox.ButtonRole.ActionRole)
        add_shortcut(self, "Rename the voice", "F2", self.rename)
        add_shortcut(self, "Forget the voice", "Del", self.forget)
        layout = QVBoxLayout(self)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.note)
        layout.addWidget(buttons)
        self.resize(420, 320)
        self.refresh()

    def refresh(self, select: str = "") -> None:
        voices, problems = self.library.load()
        self.list.clear()
        for voice in voices:
            item = QListWidgetItem(f"{voice.name} — {voice.seconds:.0f} s of speech")
            item.setData(Qt.ItemDataRole.UserRole, voice.name)
            self.list.addItem(item)
            if voice.name == select or (not select and self.list.count() == 1):
                self.list.setCurrentItem(item)
        empty = "No voices yet: right-click a speaker in a transcript, Remember this voice as…"
        self.note.setText("\n".join(problems) if problems else "" if voices else empty)

    def selected(self) -> str:
        item = self.list.currentItem()
        return str(item.data(Qt.ItemDataRole.UserRole)) if item else ""

    def _apply(self, action: str, change: Callable[[], Voice | None]) -> None:
        try:
            voice = change()
        except (FmError, OSError) as exc:
            self.note.setText(f"Could not {action}: {exc}")
            return
        self.refresh(voice.name if voice else "")

    @Slot()
    def rename(self) -> None:
        name = self.selected()
        new = ask_name(self, "Rename voice", f"New name for {name}:", name) if name else None
        if new:
            self._apply("rename", lambda: self.library.rename(name, new))

    @Slot()
    def merge(self) -> None:
        name = self.selected()
        others = [v.name for v in self.library.voices() if v.name != name]
        if not name or not others:
            return
        into, ok = QInputDialog.getItem(
            self, "Merge voices", f"{name} is the same person as:", others, 0, False
        )
        if ok:
            self._apply("merge", lambda: self.library.merge(into, name))

    @Slot()
    def forget(self) -> None:
        name = self.selected()
        if name:
            self._apply("forget", lambda: self.library.remove(name))
