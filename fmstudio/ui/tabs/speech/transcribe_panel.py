"""Transcribe audio files, and the recordings made here: add, queue, and list them."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from fmstudio.core.modalities import SPEECH
from fmstudio.core.speech.recordings import list_recordings
from fmstudio.core.speech.requests import Transcribe
from fmstudio.core.speech.transcripts import Transcript
from fmstudio.ui.jobs import JobController, lazy_job
from fmstudio.ui.tabs.speech.options import SpeechOptionsBar
from fmstudio.ui.widgets.transcript_list import TranscriptList

PATH_ROLE = Qt.ItemDataRole.UserRole


class TranscribePanel(QWidget):
    """Files wait in a queue while another speech job runs; then they are transcribed."""

    transcribed = Signal(object, float)
    """The list of `Transcript`s of one run (failed files carry their error), and its seconds."""
    said = Signal(str)
    """A line for the tab's status."""

    def __init__(
        self, options: SpeechOptionsBar, watch: QWidget, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.options = options
        self._pending: list[str] = []
        self.blocked = False
        """Set while a recording runs: files then wait for it to end."""
        self.jobs = JobController(self)
        self.jobs.busy_changed.connect(self._busy_changed)
        self.add_button = QPushButton("Add audio…")
        self.add_button.setToolTip(
            "Transcribe audio files (Ctrl+O); or drop files on the transcript"
        )
        self.transcripts = TranscriptList()
        self.recordings = QListWidget()
        self.recordings.setToolTip("Your recordings: double-click one to transcribe it again")
        self.recordings.itemDoubleClicked.connect(self._transcribe_item)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.add_button)
        layout.addWidget(watch)
        layout.addWidget(QLabel("Transcripts (pick one to see it):"))
        layout.addWidget(self.transcripts, 2)
        layout.addWidget(QLabel("Recordings (double-click to transcribe):"))
        layout.addWidget(self.recordings, 1)
        self.refresh_recordings()

    def refresh_recordings(self) -> None:
        self.recordings.clear()
        for path in list_recordings():
            item = QListWidgetItem(path.name)
            item.setData(PATH_ROLE, str(path))
            item.setToolTip(str(path))
            self.recordings.addItem(item)

    @Slot(QListWidgetItem)
    def _transcribe_item(self, item: QListWidgetItem) -> None:
        self.add_paths([str(item.data(PATH_ROLE))])

    def add_paths(self, paths: list[str]) -> None:
        """Transcribe these files and folders now, or once the running job ends."""
        self._pending.extend(str(p) for p in paths)
        if self.jobs.is_busy() or self.blocked:
            names = ", ".join(Path(p).name for p in self._pending)
            self.said.emit(f"Waiting for the current job to finish: {names}")
            return
        self.start_pending()

    def start_pending(self) -> None:
        if not self._pending or self.jobs.is_busy() or self.blocked:
            return
        paths, self._pending = tuple(self._pending), []
        self.options.remember()
        request = Transcribe(
            paths,
            self.options.model_name(),
            self.options.options(),
            self.options.device_name(),
            keep_audio=True,
        )
        self.jobs.start(lazy_job(SPEECH.run, request), "Transcribing…", on_done=self._done)

    @Slot(object, float)
    def _done(self, transcripts: list[Transcript], elapsed_s: float) -> None:
        self.transcribed.emit(transcripts, elapsed_s)

    @Slot(bool)
    def _busy_changed(self, busy: bool) -> None:
        if not busy:
            self.start_pending()

    def is_busy(self) -> bool:
        return self.jobs.is_busy()

    def shutdown(self, timeout_ms: int = 30_000) -> None:
        self._pending.clear()
        self.jobs.shutdown(timeout_ms)
