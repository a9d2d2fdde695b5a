"""The Speech tab: record and transcribe live, or drop audio files; edit, hear and export.

It composes a `RecordPanel` and a `TranscribePanel`, each with its own job controller, around
one `TranscriptView`; the tab only routes what they say to the view.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Slot
from PySide6.QtWidgets import (
    QFileDialog,
    QInputDialog,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from fmstudio.core.config import Settings
from fmstudio.core.events import Event, Partial
from fmstudio.core.modalities import SPEECH
from fmstudio.core.speech.events import FileDone, FileStarted
from fmstudio.core.speech.session import load_session, save_session
from fmstudio.core.speech.transcripts import Recording, Segment, Transcript
from fmstudio.core.speech.writers import FORMATS, write_all
from fmstudio.ui.tabs.base import Tab
from fmstudio.ui.tabs.classify_tab import EXPORT_KEYS
from fmstudio.ui.tabs.speech.curation import SpeechCuration
from fmstudio.ui.tabs.speech.options import SpeechOptionsBar
from fmstudio.ui.tabs.speech.record_panel import RecordPanel, RecordState
from fmstudio.ui.tabs.speech.transcribe_panel import TranscribePanel
from fmstudio.ui.tabs.speech.voices import SpeakerVoices, VoicesDialog
from fmstudio.ui.tabs.speech.watch_panel import WatchPanel
from fmstudio.ui.widgets.dataset_row import DatasetRow
from fmstudio.ui.widgets.drop_area import DropArea
from fmstudio.ui.widgets.job_status import JobStatus
from fmstudio.ui.widgets.shortcuts import add_shortcut
from fmstudio.ui.widgets.transcript_view import TranscriptView

EXPORT_FILTER = "SubRip (*.srt);;WebVTT (*.vtt);;Text (*.txt);;JSON (*.json)"


class SpeechTab(Tab):
    def __init__(self, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.settings = settings
        self.modality = SPEECH
        self.options = SpeechOptionsBar(settings)
        self.model_picker = self.options.model_picker
        self._shown = -1
        """The row of `files.transcripts` the view shows, or -1 (a job's output, or nothing)."""
        self.record = RecordPanel(self.options)
        self.watch = WatchPanel(settings, self.options)
        self.files = TranscribePanel(self.options, self.watch)
        self.status = JobStatus(self.files.jobs, stop_key=None)
        """The tab's status line: the files' jobs' progress, and what any part says."""
        self.view = TranscriptView()
        self.drop_area = DropArea()
        self.drop_area.paths_dropped.connect(self.add_paths)
        self.copy_button = QPushButton("Copy all")
        self.copy_button.clicked.connect(self.copy_all)
        self.export_button = QPushButton("Export…")
        self.export_button.setToolTip("Save as TXT, SRT, VTT or JSON (Ctrl+S)")
        self.export_button.clicked.connect(self.export_dialog)
        self.export_all_button = QPushButton("Export all…")
        self.export_all_button.setToolTip("Save every transcript of this session into a folder")
        self.export_all_button.clicked.connect(self.export_all_dialog)
        self.curation = SpeechCuration(settings, self.view, self)
        self.curation.said.connect(self.status.say)
        self.dataset_row = DatasetRow(
            self,
            self.curation.add,
            self.curation.undo,
            self.train_on_dataset,
            add_tip="Add the selected segments (or else every corrected one) to a speech "
            "dataset: the audio and your text",
            train_tip="Fine-tune Whisper on the speech dataset",
        )
        self.curation.dataset_changed.connect(self._show_dataset)
        self.watch.transcribed.connect(self._watched)
        self.watch.said.connect(self.status.say)
        self.voices = SpeakerVoices(self)
        self.voices.said.connect(self.status.say)
        self.voices.jobs.started.connect(self.status.say)
        self.view.remember_voice.connect(self.voices.remember)
        self.options.voices_button.clicked.connect(self.show_voices)
        self._show_dataset(self.curation.folder())
        self._wire()
        self._lay_out()
        add_shortcut(self, "Record or stop", "Ctrl+R", self.record.toggle)
        add_shortcut(self, "Export transcript", EXPORT_KEYS, self.export_dialog)
        add_shortcut(self, "Stop", "Esc", self.stop)
        add_shortcut(self, "Voice profiles", "Ctrl+Shift+V", self.show_voices)
        self.files.add_button.clicked.connect(self.open_files)
        self.status.say("Ready. Press Record, or drop audio files.")
        self._add(load_session(), keep=False)

    def device_choice(self) -> str:
        return self.options.device_name()

    def _wire(self) -> None:
        self.model_picker.currentIndexChanged.connect(self.preload)
        self.record.recording_started.connect(self._new_transcript)
        self.record.live_text.connect(self.view.show_live)
        self.record.recorded.connect(self._recorded)
        self.record.state_changed.connect(self._record_state)
        self.files.jobs.partial.connect(self._segments)
        self.files.jobs.other_event.connect(self._file_event)
        self.files.transcribed.connect(self._transcribed)
        self.files.said.connect(self.status.say)
        self.files.transcripts.currentRowChanged.connect(self._pick)
        for jobs in (self.record.jobs, self.files.jobs):
            self.relay_job_lines(jobs)
            jobs.busy_changed.connect(self._clear_status_bar)

    def _lay_out(self) -> None:
        splitter = QSplitter()
        splitter.addWidget(self.view)
        splitter.addWidget(self.files)
        splitter.setStretchFactor(0, 3)
        drop_layout = QVBoxLayout(self.drop_area)
        drop_layout.addWidget(splitter, 1)
        self.status.add_button(self.copy_button)
        self.status.add_button(self.export_button)
        self.status.add_button(self.export_all_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.options)
        layout.addWidget(self.record)
        layout.addWidget(self.dataset_row)
        layout.addWidget(self.drop_area, 1)
        layout.addWidget(self.status)

    def is_busy(self) -> bool:
        return self.record.is_busy() or self.files.is_busy() or self.voices.jobs.is_busy()

    @Slot()
    def show_voices(self) -> None:
        VoicesDialog(self).exec()

    @Slot(list)
    def add_paths(self, paths: list[str]) -> None:
        self.files.add_paths(paths)

    @Slot()
    def stop(self) -> None:
        if self.record.state is RecordState.RECORDING:
            self.record.toggle()
        else:
            self.record.jobs.stop()
            self.files.jobs.stop()

    @Slot(bool)
    def _clear_status_bar(self, busy: bool) -> None:
        if not busy:
            self.status_message.emit("")  # no stale "Loading…" once the job has ended

    @Slot(object)
    def _record_state(self, state: RecordState) -> None:
        self.files.blocked = state in (RecordState.RECORDING, RecordState.FINISHING)
        if self.files.blocked:  # the recorder's own line says what happens; no stale "Ready"
            self.status.say("")
        if state is RecordState.UNAVAILABLE:
            self.status.say(
                f"Recording is off: {self.record.unavailable}. Drop audio files to transcribe them."
            )
        elif not self.files.blocked:
            self.files.start_pending()

    @Slot(object)
    def _file_event(self, event: Event) -> None:
        """Each file of a batch fills the view alone and is listed as soon as it is done."""
        if isinstance(event, FileStarted):
            self._new_transcript()
        elif isinstance(event, FileDone):
            self._add([event.transcript])

    @Slot()
    def _new_transcript(self) -> None:
        """A job is about to fill the view: keep the edits of the transcript it showed."""
        self._keep_edits()
        self._shown = -1
        self.view.clear()

    def _keep_edits(self) -> None:
        edited = self.view.edited()
        kept = self.files.transcripts.transcripts
        if edited is not None and self._shown >= 0 and edited != kept[self._shown]:
            kept[self._shown] = edited

    @Slot(int)
    def _pick(self, row: int) -> None:
        if row < 0 or row == self._shown:
            return
        self._keep_edits()
        transcript = self.files.transcripts.transcripts[row]
        self._shown = row if transcript.ok else -1
        if transcript.ok:
            self.view.show_transcript(transcript)
        else:
            self.view.clear()
            self.status.say(f"{Path(transcript.path).name}: {transcript.error}")

    def _add(self, transcripts: list[Transcript], keep: bool = True) -> None:
        for transcript in transcripts:
            self.files.transcripts.add(transcript)
            self.options.heard(transcript)
        row = self.files.transcripts.last_good_row()
        self.files.transcripts.setCurrentRow(row)
        self._pick(row)  # when the row was current already, no signal shows it
        if keep:
            self._keep()

    @Slot(object)
    def _watched(self, transcript: Transcript) -> None:
        """A recording the folder watch transcribed joins the list; the view changes to it
        only when it showed nothing (the user may be correcting another)."""
        self._keep_edits()
        self.files.transcripts.add(transcript)
        if self._shown < 0 and not self.is_busy() and transcript.ok:
            self.files.transcripts.setCurrentRow(self.files.transcripts.count() - 1)
        self._keep()

    @Slot(object)
    def _segments(self, event: Partial[Segment]) -> None:
        for segment in event.items:
            self.view.add_segment(segment)

    @Slot(object)
    def _recorded(self, recording: Recording) -> None:
        self.files.refresh_recordings()
        if recording.transcript is not None:
            self._add([recording.transcript])
        self.status.say(f"Saved the recording as {recording.path.name}.")

    @Slot(object, float)
    def _transcribed(self, transcripts: list[Transcript], elapsed_s: float) -> None:
        failed = [f"{Path(t.path).name}: {t.error}" for t in transcripts if not t.ok]
        seconds = sum(t.duration for t in transcripts if t.ok)
        summary = f"Transcribed {seconds:.1f} s of audio in {elapsed_s:.1f} s."
        self.status.say("; ".join(failed) if failed else self.status.with_notes(summary))
        # each file was listed as it finished (FileDone)

    @Slot(str)
    def _show_dataset(self, folder: str) -> None:
        self.dataset_row.show_dataset(folder, self.curation.contents() if folder else "")

    @Slot()
    def train_on_dataset(self) -> None:
        folder = self.curation.folder()
        if not folder:
            self.status.say("Add corrected segments to a dataset first.")
            return
        self.train_requested.emit("speech", folder)

    @Slot()
    def copy_all(self) -> None:
        if self.view.copy():
            self.status.say("Transcript copied.")

    @Slot()
    def export_dialog(self) -> None:
        transcript = self.view.edited()
        if transcript is None:
            self.status.say("Nothing to export yet.")
            return
        start = self.settings.export_start(f"{Path(transcript.path).stem}.srt")
        target, _ = QFileDialog.getSaveFileName(self, "Export transcript", start, EXPORT_FILTER)
        if target:
            self.settings.export_folder = str(Path(target).parent)
            self.export_to(Path(target))

    def export_to(self, target: Path) -> None:
        try:
            self.view.export_to(target)
        except (OSError, ValueError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
            self.status.say(f"Could not export to {target}: {reason}")
            return
        self.status.say(f"Exported to {target}.")

    @Slot()
    def export_all_dialog(self) -> None:
        if not self.files.transcripts.good():
            self.status.say("Nothing to export yet.")
            return
        fmt, ok = QInputDialog.getItem(self, "Export all transcripts", "Format:", FORMATS, 1, False)
        if not ok:
            return
        start = str(Path(self.settings.export_start("x")).parent)
        folder = QFileDialog.getExistingDirectory(self, "Export all transcripts into", start)
        if folder:
            self.settings.export_folder = folder
            self.export_all(Path(folder), fmt)

    def export_all(self, folder: Path, fmt: str) -> list[Path]:
        """Write `<stem>.<fmt>` for every transcript that succeeded, with the user's edits."""
        self._keep_edits()
        try:
            written = write_all(self.files.transcripts.good(), fmt, folder)
        except OSError as exc:
            self.status.say(f"Could not export to {folder}: {exc.strerror or exc}")
            return []
        self.status.say(f"Exported {len(written)} transcripts to {folder}.")
        return written

    def _keep(self) -> None:
        """Keep the transcripts, corrections included, for the next session."""
        self._keep_edits()
        try:
            save_session(self.files.transcripts.transcripts)
        except OSError as exc:
            self.status.say(f"Could not keep the transcripts: {exc.strerror or exc}")

    def shutdown(self, timeout_ms: int = 30_000) -> None:
        self._keep()
        self.record.shutdown(timeout_ms)
        self.files.shutdown(timeout_ms)
        self.watch.shutdown(timeout_ms)
        self.voices.shutdown(timeout_ms)
        self.view.shutdown(timeout_ms)
