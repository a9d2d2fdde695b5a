"""The Speech tab: record and transcribe live, or drop audio files; edit, hear and export."""

from __future__ import annotations

import threading
from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import Slot
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from fmstudio.core.config import Settings
from fmstudio.core.data.audio import AUDIO_SUFFIXES
from fmstudio.core.events import Event, Partial
from fmstudio.ui.tabs.base import TaskTab
from fmstudio.ui.widgets.controls import device_combo
from fmstudio.ui.widgets.drop_area import DropArea
from fmstudio.ui.widgets.model_picker import ModelPicker
from fmstudio.ui.widgets.segments_table import SegmentsTable

AUDIO_FILTER = "Audio (" + " ".join(f"*{s}" for s in sorted(AUDIO_SUFFIXES)) + ");;All files (*)"
LANGUAGES = ("auto", "en", "de", "fr", "es", "it", "nl", "pt", "pl", "ru", "zh", "ja")


class SpeechTab(TaskTab):
    title = "Speech"
    noun = "audio"
    file_filter = AUDIO_FILTER

    def __init__(self, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        from fmstudio.core.speech.microphone import recording_unavailable_reason

        self.settings = settings
        self.source_factory = self._microphone
        self._stop_recording = threading.Event()
        self.transcript = None
        self.recording_path: Path | None = None

        self.model_picker = ModelPicker("speech", settings.speech_model)
        self.language = QComboBox()
        self.language.addItems(LANGUAGES)
        self.language.setToolTip("Spoken language; English-only models (.en) need en or auto")
        self.vad = QCheckBox("Skip silence")
        self.vad.setToolTip("Voice-activity filter: drops silent parts before decoding")
        self.words = QCheckBox("Word times")
        self.words.setToolTip("Compute a timestamp for every word (slower)")
        self.beam = QSpinBox()
        self.beam.setRange(1, 10)
        self.beam.setValue(5)
        self.beam.setToolTip("Beam size: larger is slower and sometimes more accurate")
        self.device = device_combo(settings)
        options = QHBoxLayout()
        for w in (
            QLabel("Model:"),
            self.model_picker,
            QLabel("Language:"),
            self.language,
            self.vad,
            self.words,
            QLabel("Beam:"),
            self.beam,
            QLabel("Device:"),
            self.device,
        ):
            options.addWidget(w, 1 if w is self.model_picker else 0)

        self.input_device = QComboBox()
        self.record_button = QPushButton("● Record")
        self.record_button.setToolTip(
            "Start recording from the microphone (Ctrl+R); press again to stop"
        )
        self.record_button.setShortcut("Ctrl+R")
        self.record_button.clicked.connect(self.toggle_recording)
        self.live = QCheckBox("Live text")
        self.live.setChecked(True)
        self.live.setToolTip("Show text while you speak; a final pass runs when you stop")
        self.elapsed = QLabel("0:00")
        self.meter = QProgressBar()
        self.meter.setRange(0, 100)
        self.meter.setTextVisible(False)
        self.meter.setMaximumWidth(160)
        self.meter.setToolTip("Input level")
        self.add_button = QPushButton("Add audio…")
        self.add_button.setToolTip("Transcribe audio files (Ctrl+O); or drop files below")
        self.add_button.clicked.connect(self.open_files)
        rec = QHBoxLayout()
        for w in (
            QLabel("Input:"),
            self.input_device,
            self.record_button,
            self.live,
            self.elapsed,
            self.meter,
            self.add_button,
        ):
            rec.addWidget(w, 1 if w is self.input_device else 0)
        self.unavailable = recording_unavailable_reason()
        if self.unavailable:
            self.input_device.addItem("recording off")
            self.input_device.setToolTip(self.unavailable)
            self.input_device.setEnabled(False)
            self.record_button.setEnabled(False)
            self.record_button.setToolTip(f"Recording is off: {self.unavailable}")
        else:
            from fmstudio.core.speech.microphone import input_devices

            for index, name in input_devices():
                self.input_device.addItem(name, index)

        self.live_view = QPlainTextEdit()
        self.live_view.setReadOnly(True)
        self.live_view.setPlaceholderText("The transcript appears here.")
        self.live_view.setMaximumHeight(110)
        self.segments = SegmentsTable()
        self.segments.cellClicked.connect(self._play_row)
        self.recordings = QListWidget()
        self.recordings.setToolTip("Your recordings: double-click one to transcribe it again")
        self.recordings.itemDoubleClicked.connect(lambda item: self.add_paths([item.toolTip()]))
        recordings_box = QWidget()
        box_layout = QVBoxLayout(recordings_box)
        box_layout.setContentsMargins(0, 0, 0, 0)
        box_layout.addWidget(QLabel("Recordings (double-click to transcribe):"))
        box_layout.addWidget(self.recordings)
        splitter = QSplitter()
        splitter.addWidget(self.segments)
        splitter.addWidget(recordings_box)
        splitter.setStretchFactor(0, 3)
        self.drop_area = DropArea()
        self.drop_area.paths_dropped.connect(self.add_paths)
        drop_layout = QVBoxLayout(self.drop_area)
        drop_layout.addWidget(self.live_view)
        drop_layout.addWidget(splitter, 1)

        self.copy_button = QPushButton("Copy all")
        self.copy_button.clicked.connect(self.copy_all)
        self.export_button = QPushButton("Export…")
        self.export_button.setToolTip("Save as TXT, SRT, VTT or JSON (Ctrl+E)")
        self.export_button.setShortcut("Ctrl+E")
        self.export_button.clicked.connect(self.export_dialog)
        bottom = QHBoxLayout()
        bottom.addWidget(self.progress, 1)
        bottom.addWidget(self.stop_button)
        bottom.addWidget(self.copy_button)
        bottom.addWidget(self.export_button)
        layout = QVBoxLayout(self)
        layout.addLayout(options)
        layout.addLayout(rec)
        layout.addWidget(self.drop_area, 1)
        layout.addLayout(bottom)
        layout.addWidget(self.status)
        self.status.setText(
            f"Recording is off: {self.unavailable}. Drop audio files to transcribe them."
            if self.unavailable
            else "Ready. Press Record, or drop audio files."
        )
        self._refresh_recordings()

    def _microphone(self):  # type: ignore[no-untyped-def]
        from fmstudio.core.speech.microphone import MicrophoneSource

        return MicrophoneSource(self.input_device.currentData())

    def _options(self):  # type: ignore[no-untyped-def]
        from fmstudio.core.speech.transcribe import Options

        return Options(
            self.language.currentText(),
            self.beam.value(),
            self.vad.isChecked(),
            self.words.isChecked(),
        )

    def _refresh_recordings(self) -> None:
        from fmstudio.core.speech.record import list_recordings

        self.recordings.clear()
        for path in list_recordings():
            self.recordings.addItem(path.name)
            self.recordings.item(self.recordings.count() - 1).setToolTip(str(path))

    @Slot()
    def toggle_recording(self) -> None:
        if (
            self.is_busy()
            and not self._stop_recording.is_set()
            and self.record_button.text().startswith("■")
        ):
            self._stop_recording.set()
            self.status.setText("Stopping the recording…")
            return
        if self.is_busy():
            return
        from fmstudio.core import catalog
        from fmstudio.core.devices import resolve_device
        from fmstudio.core.speech.record import record

        self._stop_recording = threading.Event()
        stop, options, live = self._stop_recording, self._options(), self.live.isChecked()
        name, device = self.model_picker.model_name(), self.device.currentText()
        source = self.source_factory()

        def job(token):  # type: ignore[no-untyped-def]
            model = catalog.cached_load(name, "speech", resolve_device(device))
            return record(source, stop, token, None, model if live else None, model, options)

        self.live_view.clear()
        self.segments.set_segments([])
        self.record_button.setText("■ Stop recording")
        self.start_job(job, "Recording…")

    def on_event(self, event: Event) -> None:
        from fmstudio.core.speech.record import Level, LiveText

        if isinstance(event, Level):
            self.meter.setValue(min(100, int(event.peak * 100)))
            seconds = int(event.elapsed_s)
            self.elapsed.setText(f"{seconds // 60}:{seconds % 60:02d}")
        elif isinstance(event, LiveText):
            tentative = (
                f" <span style='color:gray'>{event.tentative}</span>" if event.tentative else ""
            )
            self.live_view.clear()
            self.live_view.appendHtml(f"{event.committed}{tentative}")

    def on_partial(self, event: Partial) -> None:
        for segment in event.items:
            self.segments.append(segment)

    def on_done(self, result: object, elapsed_s: float) -> None:
        from fmstudio.core.speech.transcribe import Transcript

        if isinstance(result, tuple):
            self.recording_path, transcript = result
            self._refresh_recordings()
        else:
            transcripts = (
                [t for t in result if isinstance(t, Transcript)] if isinstance(result, list) else []
            )
            failed = [t for t in transcripts if not t.ok]
            good = [t for t in transcripts if t.ok]
            transcript = good[-1] if good else None
            if failed:
                self.status.setText("; ".join(f"{Path(t.path).name}: {t.error}" for t in failed))
        if transcript is not None:
            self.transcript = transcript
            self.segments.set_segments(transcript.segments)
            self.live_view.setPlainText(transcript.text)
            if not self.status.text() or self.status.text().startswith(
                ("Recording", "Transcribing", "Stopping")
            ):
                self.status.setText(
                    f"Transcribed {transcript.duration:.1f} s of audio in {elapsed_s:.1f} s."
                )

    def _on_finished(self) -> None:
        super()._on_finished()
        self.record_button.setText("● Record")
        self.meter.setValue(0)

    @Slot(list)
    def add_paths(self, new_paths: list[str]) -> None:
        if self.is_busy():
            self.status.setText("Wait for the current job to finish, or press Stop.")
            return
        from fmstudio.core.speech.transcribe import transcribe_files

        name, device, options = (
            self.model_picker.model_name(),
            self.device.currentText(),
            self._options(),
        )
        self.settings.speech_model = name
        self.segments.set_segments([])
        self.status.setText("")
        self.start_job(
            lambda token: transcribe_files(new_paths, name, options, device, token), "Transcribing…"
        )

    def edited_transcript(self):  # type: ignore[no-untyped-def]
        if self.transcript is None:
            return None
        segments = self.segments.segments()
        text = " ".join(s.text.strip() for s in segments if s.text.strip())
        return replace(self.transcript, segments=segments, text=text)

    @Slot()
    def copy_all(self) -> None:
        t = self.edited_transcript()
        if t is not None:
            QGuiApplication.clipboard().setText(t.text)
            self.status.setText("Transcript copied.")

    @Slot()
    def export_dialog(self) -> None:
        t = self.edited_transcript()
        if t is None:
            self.status.setText("Nothing to export yet.")
            return
        start = str(Path(self.settings.last_folder or Path.home()) / f"{Path(t.path).stem}.srt")
        target, _ = QFileDialog.getSaveFileName(
            self,
            "Export transcript",
            start,
            "SubRip (*.srt);;WebVTT (*.vtt);;Text (*.txt);;JSON (*.json)",
        )
        if target:
            self.export_to(Path(target))

    def export_to(self, target: Path) -> None:
        from fmstudio.core.atomic import atomic_write_text
        from fmstudio.core.speech.writers import FORMATS, render

        fmt = target.suffix.lstrip(".").lower()
        fmt = fmt if fmt in FORMATS else "txt"
        try:
            atomic_write_text(target, render(self.edited_transcript(), fmt))
        except OSError as exc:
            self.status.setText(f"Could not export to {target}: {exc.strerror or exc}")
            return
        self.status.setText(f"Exported to {target}.")

    @Slot(int, int)
    def _play_row(self, row: int, _column: int) -> None:
        if self.transcript is None or self.unavailable:
            return
        segment = self.segments.segments()[row]
        start, end = segment.start, segment.end
        try:
            import sounddevice as sd

            from fmstudio.core.data.audio import SAMPLE_RATE, load_audio

            audio = load_audio(self.transcript.path)
            sd.play(audio[int(start * SAMPLE_RATE) : int(end * SAMPLE_RATE)], SAMPLE_RATE)
        except Exception as exc:  # playback is a convenience: say why, never crash
            self.status.setText(f"Cannot play: {exc}")

    def shutdown(self, timeout_ms: int = 30_000) -> None:
        self._stop_recording.set()
        super().shutdown(timeout_ms)
