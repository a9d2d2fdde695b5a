"""The transcript on screen: live text while recording, then editable timed segments that
play when clicked, and the edited transcript for copying and export."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import Signal, Slot
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from fmstudio.core.data.playback import Playback, Playing
from fmstudio.core.speech.events import LiveText
from fmstudio.core.speech.languages import NAMES
from fmstudio.core.speech.requests import EnrolVoice
from fmstudio.core.speech.transcripts import Segment, Transcript
from fmstudio.core.speech.writers import export
from fmstudio.core.wording import plural
from fmstudio.ui.widgets.audio_player import AudioPlayer
from fmstudio.ui.widgets.segments_table import SegmentsTable
from fmstudio.ui.widgets.words_view import WordsView


def about(language: str | None, probability: float | None) -> str:
    """`German (de), detected, 93% sure` or `English (en)`."""
    if not language:
        return ""
    named = f"Language: {NAMES.get(language, language).title()} ({language})"
    return named if probability is None else f"{named}, detected, {probability:.0%} sure"


def speaker_summary(speakers: list[str]) -> str:
    if not speakers:
        return ""
    return f" · {plural(len(speakers), 'speaker')}: {', '.join(speakers)}"


class TranscriptView(QWidget):
    remember_voice = Signal(object)
    """An `EnrolVoice`: the user named a speaker's voice in the table."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.transcript: Transcript | None = None
        self.live_view = WordsView()
        self.live_view.setPlaceholderText("The transcript appears here.")
        self.live_view.setMaximumHeight(130)
        self.live_view.word_clicked.connect(self._play_from)
        self.info = QLabel()
        self.info.setToolTip("The language (detected, with how sure the model was) and speakers")
        self.segments = SegmentsTable()
        self.segments.cellClicked.connect(self._play_row)
        self.segments.itemChanged.connect(self._edited)
        self.segments.speakers_changed.connect(self._show_info)
        self.segments.voice_named.connect(self._voice_named)
        self.player = AudioPlayer(self)
        self.player.jobs.other_event.connect(self._playing)
        self.player.jobs.busy_changed.connect(self._played)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.info)
        layout.addWidget(self.live_view)
        layout.addWidget(self.segments, 1)

    def clear(self) -> None:
        self.transcript = None
        self.live_view.clear()
        self.segments.set_segments([])
        self.info.clear()

    @Slot(object)
    def show_live(self, event: LiveText) -> None:
        self.live_view.show_live(event.committed, event.tentative)

    def add_segment(self, segment: Segment) -> None:
        """A segment of a file being transcribed: in the table and in the box above it, so
        the box does not say "The transcript appears here." beside a filling table."""
        self.segments.append(segment)
        self.live_view.add_text(segment.text.strip())

    def show_transcript(self, transcript: Transcript) -> None:
        self.transcript = transcript
        self.segments.set_segments(transcript.segments)
        self.live_view.show_segments(transcript.segments)
        self._show_info()

    @Slot()
    def _show_info(self) -> None:
        if self.transcript is None:
            return
        self.info.setText(
            about(self.transcript.language, self.transcript.language_probability)
            + speaker_summary(self.segments.speakers())
        )

    @Slot(str, str)
    def _voice_named(self, speaker: str, name: str) -> None:
        """The speaker takes the name everywhere, and their segments teach the voice."""
        transcript = self.edited()
        if transcript is None or not transcript.ok:
            return
        spans = tuple((s.start, s.end) for s in transcript.segments if s.speaker == speaker)
        self.segments.rename_speaker(speaker, name)
        self.remember_voice.emit(EnrolVoice(name, transcript.path, spans, transcript.audio))

    @Slot()
    def _edited(self) -> None:
        """A corrected segment shows in the text above at once."""
        transcript = self.edited()
        if transcript is not None:
            self.live_view.show_segments(transcript.segments)

    def edited(self) -> Transcript | None:
        """The shown transcript with the user's corrections, or None before there is one."""
        if self.transcript is None:
            return None
        segments = self.segments.segments()
        text = " ".join(s.text.strip() for s in segments if s.text.strip())
        return replace(self.transcript, segments=segments, text=text)

    def selected_rows(self) -> list[int]:
        return sorted(i.row() for i in self.segments.selectionModel().selectedRows())

    def corrected_rows(self) -> list[int]:
        """The segments whose text the user changed."""
        if self.transcript is None:
            return []
        now = self.segments.segments()
        return [
            i
            for i, (old, new) in enumerate(zip(self.transcript.segments, now, strict=False))
            if old.text.strip() != new.text.strip()
        ]

    def copy(self) -> bool:
        transcript = self.edited()
        if transcript is None:
            return False
        QGuiApplication.clipboard().setText(transcript.text)
        return True

    def export_to(self, target: Path) -> None:
        """TXT, SRT, VTT or JSON by the file's suffix (TXT for any other), written atomically."""
        transcript = self.edited()
        if transcript is None:
            raise ValueError("nothing to export yet")
        export(transcript, target)

    @Slot(float)
    def _play_from(self, seconds: float) -> None:
        """A clicked word: play on from it to the end (a click elsewhere moves there)."""
        self._play(seconds, None)

    @Slot(object)
    def _playing(self, event: object) -> None:
        if isinstance(event, Playing):
            self.live_view.highlight(event.position_s)

    @Slot(bool)
    def _played(self, busy: bool) -> None:
        if not busy:
            self.live_view.highlight(None)

    @Slot(int, int)
    def _play_row(self, row: int, _column: int) -> None:
        """Play the clicked segment."""
        segment = self.segments.segments()[row]
        self._play(segment.start, segment.end)

    def _play(self, start: float, end: float | None) -> None:
        """Play from the audio the transcribe job kept, else from the file (on the worker)."""
        if self.transcript is None or not self.transcript.ok:
            return
        audio = self.transcript.audio
        source = audio if audio is not None else self.transcript.path
        self.player.play(Playback(source, start, end))

    def shutdown(self, timeout_ms: int = 30_000) -> None:
        self.player.shutdown(timeout_ms)
