"""The Speech tab's folder watch: choose a folder, an output place and formats; every new
recording there is transcribed once (core/speech/watch.py) with the tab's options, and the
watch starts again with the app when it was on at closing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QWidget,
)

from fmstudio.core.config import Settings
from fmstudio.core.events import Event, Log
from fmstudio.core.speech.events import FileDone
from fmstudio.core.speech.requests import WatchFolder
from fmstudio.core.speech.writers import FORMATS
from fmstudio.core.wording import plural
from fmstudio.ui.jobs import JobController, lazy_job
from fmstudio.ui.tabs.speech.options import SpeechOptionsBar
from fmstudio.ui.widgets.folder_field import FolderField, ok_cancel


class WatchDialog(QDialog):
    """What to watch, where the transcripts go, and in which formats."""

    def __init__(self, choice: dict[str, Any], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Watch a folder")
        arrive = "the folder new recordings arrive in"
        self.folder = FolderField(str(choice.get("folder") or ""), "Folder to watch", arrive)
        self.output = FolderField(
            str(choice.get("output_dir") or ""), "Transcripts into", "beside each recording"
        )
        chosen = choice.get("formats") or ["srt"]
        self.formats = {f: QCheckBox(f.upper()) for f in FORMATS}
        formats = QWidget()
        row = QHBoxLayout(formats)
        row.setContentsMargins(0, 0, 0, 0)
        for fmt, box in self.formats.items():
            box.setChecked(fmt in chosen)
            row.addWidget(box)
        self.buttons = ok_cancel(self)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Start watching")
        self.folder.textChanged.connect(self._check)
        for box in self.formats.values():
            box.toggled.connect(self._check)
        form = QFormLayout(self)
        form.addRow("Folder:", self.folder)
        form.addRow("Transcripts into:", self.output)
        form.addRow("Formats:", formats)
        form.addRow(QLabel("New files are transcribed with the tab's model and options."))
        form.addRow(self.buttons)
        self.resize(560, 0)
        self._check()

    @Slot()
    def _check(self) -> None:
        folder = self.folder.text()
        ok = (
            bool(folder)
            and Path(folder).is_dir()
            and any(b.isChecked() for b in self.formats.values())
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(ok)

    def choice(self) -> dict[str, Any]:
        return {
            "folder": self.folder.text(),
            "output_dir": self.output.text(),
            "formats": [f for f, box in self.formats.items() if box.isChecked()],
        }


class WatchPanel(QWidget):
    """A button that starts or stops the watch, and a line saying what it does."""

    transcribed = Signal(object)
    """A `Transcript` the watch finished (failed files carry their error)."""
    said = Signal(str)

    def __init__(self, settings: Settings, options: SpeechOptionsBar) -> None:
        super().__init__()
        self.settings = settings
        self.options = options
        self.jobs = JobController(self)
        self.jobs.other_event.connect(self._event)
        self.jobs.logged.connect(self._logged)
        self.jobs.busy_changed.connect(self._busy_changed)
        self.request: WatchFolder | None = None
        """What the running (or last) watch was asked to do."""
        self._restart = False
        options.changed.connect(self._options_changed)
        self.button = QPushButton()
        self.button.clicked.connect(self.toggle)
        self.line = QLabel()
        self.line.setWordWrap(True)
        self.count = 0
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.button)
        layout.addWidget(self.line, 1)
        self._show(False)
        if settings.watch.get("on") and Path(str(settings.watch.get("folder"))).is_dir():
            self.start(settings.watch)

    @Slot()
    def toggle(self) -> None:
        if self.jobs.is_busy():
            self.settings.watch = {**self.settings.watch, "on": False}
            self.jobs.stop()
            return
        dialog = WatchDialog(self.settings.watch, self)
        if dialog.exec():
            self.start(dialog.choice())

    def start(self, choice: dict[str, Any]) -> None:
        formats = tuple(str(f) for f in choice.get("formats") or ("srt",))
        request = WatchFolder(
            str(choice["folder"]),
            str(choice.get("output_dir") or "") or None,
            formats,
            self.options.model_name(),
            self.options.options(),
            self.options.device_name(),
        )
        self.settings.watch = {**choice, "on": True}
        self.count = 0
        self.request = request
        self.jobs.start(
            lazy_job("fmstudio.core.speech.watch:watch_folder", request),
            f"Watching {request.folder}…",
            on_failed=lambda exc: self.said.emit(f"The watch stopped: {exc}"),
        )
        self._show(True)

    @Slot()
    def _options_changed(self) -> None:
        """The watch goes on with the tab's new choices (a file being transcribed is done
        again with them)."""
        now = (self.options.model_name(), self.options.options(), self.options.device_name())
        asked = self.request
        if asked and self.jobs.is_busy() and now != (asked.model, asked.options, asked.device):
            self._restart = True
            self.jobs.stop()

    @Slot(bool)
    def _busy_changed(self, busy: bool) -> None:
        """A watch stopped for new options starts again at once; otherwise say what it does."""
        if not busy and self._restart:
            self._restart = False
            self.start(self.settings.watch)
            self.said.emit("The watch goes on with the tab's new options.")
        else:
            self._show(busy)

    def _show(self, busy: bool) -> None:
        self.button.setText("Stop watching" if busy else "Watch a folder…")
        self.button.setToolTip(
            "Stop transcribing new recordings in the folder"
            if busy
            else "Transcribe every new recording in a folder, once, into the formats you choose"
        )
        watch = self.settings.watch
        if not busy:
            self.line.setText("")
            return
        where = watch.get("output_dir") or "beside each file"
        formats = ", ".join(str(f).upper() for f in watch.get("formats") or ())
        done = f" · {plural(self.count, 'file')} transcribed" if self.count else ""
        self.line.setText(f"Watching {watch.get('folder')} → {where} ({formats}){done}")

    @Slot(object)
    def _event(self, event: Event) -> None:
        if isinstance(event, FileDone):
            self.count += event.transcript.ok
            self._show(True)
            self.transcribed.emit(event.transcript)

    @Slot(object)
    def _logged(self, event: Log) -> None:
        if event.level == "warning" or "→" in event.message:
            self.said.emit(event.message)

    def is_busy(self) -> bool:
        return self.jobs.is_busy()

    def shutdown(self, timeout_ms: int = 30_000) -> None:
        """Stop the watch; it stays on in the settings, so the next start resumes it."""
        self.jobs.shutdown(timeout_ms)
