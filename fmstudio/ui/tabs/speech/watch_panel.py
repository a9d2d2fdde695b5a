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
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
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


def _folder_row(edit: QLineEdit, title: str, parent: QWidget) -> QWidget:
    """A path box with a Browse… button that fills it."""
    row = QWidget()
    layout = QHBoxLayout(row)
    layout.setContentsMargins(0, 0, 0, 0)
    browse = QPushButton("Browse…")

    def pick() -> None:
        chosen = QFileDialog.getExistingDirectory(parent, title, edit.text())
        if chosen:
            edit.setText(chosen)

    browse.clicked.connect(pick)
    layout.addWidget(edit, 1)
    layout.addWidget(browse)
    return row


class WatchDialog(QDialog):
    """What to watch, where the transcripts go, and in which formats."""

    def __init__(self, choice: dict[str, Any], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Watch a folder")
        self.folder = QLineEdit(str(choice.get("folder") or ""))
        self.folder.setPlaceholderText("the folder new recordings arrive in")
        self.output = QLineEdit(str(choice.get("output_dir") or ""))
        self.output.setPlaceholderText("beside each recording")
        chosen = choice.get("formats") or ["srt"]
        self.formats = {f: QCheckBox(f.upper()) for f in FORMATS}
        formats = QWidget()
        row = QHBoxLayout(formats)
        row.setContentsMargins(0, 0, 0, 0)
        for fmt, box in self.formats.items():
            box.setChecked(fmt in chosen)
            row.addWidget(box)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Start watching")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.folder.textChanged.connect(self._check)
        for box in self.formats.values():
            box.toggled.connect(self._check)
        form = QFormLayout(self)
        form.addRow("Folder:", _folder_row(self.folder, "Folder to watch", self))
        form.addRow("Transcripts into:", _folder_row(self.output, "Transcripts into", self))
        form.addRow("Formats:", formats)
        form.addRow(QLabel("New files are transcribed with the tab's model and options."))
        form.addRow(self.buttons)
        self.resize(560, 0)
        self._check()

    @Slot()
    def _check(self) -> None:
        folder = self.folder.text().strip()
        ok = (
            bool(folder)
            and Path(folder).is_dir()
            and any(b.isChecked() for b in self.formats.values())
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(ok)

    def choice(self) -> dict[str, Any]:
        return {
            "folder": self.folder.text().strip(),
            "output_dir": self.output.text().strip(),
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
        self.jobs.busy_changed.connect(self._show)
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
    def _show(self, busy: bool) -> None:
        if not busy and self._restart:
            self._restart = False
            self.start(self.settings.watch)
            self.said.emit("The watch goes on with the tab's new options.")
            return
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
