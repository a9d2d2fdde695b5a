"""TaskTab: the base of every tab that runs one job at a time on the worker."""

from __future__ import annotations

import time
from pathlib import Path

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import QFileDialog, QLabel, QProgressBar, QPushButton, QWidget

from fmstudio.core.config import Settings
from fmstudio.core.events import Event, Log, Partial, Progress, format_duration
from fmstudio.ui.errors import is_expected, show_error_dialog, user_message
from fmstudio.ui.worker import JobFactory, Worker


class TaskTab(QWidget):
    """Starts and stops one job; subclasses fill `on_partial`, `on_done` and `on_error`.

    Owns a progress bar, a status label and a Stop button that subclasses place in their layout.
    """

    status_message = Signal(str)
    busy_changed = Signal(bool)

    title = "Task"
    noun = "files"
    file_filter = "All files (*)"
    settings: Settings

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.worker: Worker | None = None
        self.progress = QProgressBar()
        self.progress.setRange(0, 1000)
        self.progress.setTextVisible(True)
        self.progress.setFormat("")
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.stop_button = QPushButton("Stop")
        self.stop_button.setToolTip("Stop the running job (Esc)")
        self.stop_button.setShortcut("Esc")
        self.stop_button.setEnabled(False)
        self.stop_button.clicked.connect(self.stop)
        self._started = 0.0
        self._busy = False

    def is_busy(self) -> bool:
        """From start until the tab has handled the job's end (not just the thread's)."""
        return self._busy

    def start_job(self, factory: JobFactory, message: str = "Working…") -> bool:
        """Run a job unless one is already running; returns whether it started."""
        if self.is_busy():
            self.status.setText("A job is already running: stop it first.")
            return False
        if self.worker is not None:
            self.worker.deleteLater()
        self.worker = Worker(factory, self)
        self.worker.yielded.connect(self._on_event)
        self.worker.returned.connect(self._on_returned)
        self.worker.errored.connect(self._on_errored)
        self.worker.cancelled.connect(self._on_cancelled)
        self.worker.finished.connect(self._on_finished)
        self.progress.setValue(0)
        self.progress.setFormat(message)
        self.status.setText(message)
        self.stop_button.setEnabled(True)
        self._started = time.monotonic()
        self._busy = True
        self.busy_changed.emit(True)
        self.worker.start()
        return True

    @Slot()
    def stop(self) -> None:
        if self.worker is not None:
            self.worker.cancel()
            self.status.setText("Stopping…")

    def shutdown(self, timeout_ms: int = 30_000) -> None:
        """Cancel and wait: called when the window closes, so no thread outlives it."""
        if self.worker is not None:
            self.worker.cancel()
            self.worker.wait(timeout_ms)

    @Slot(object)
    def _on_event(self, event: Event) -> None:
        if isinstance(event, Progress):
            self.progress.setValue(int(event.fraction * 1000))
            count = f"{event.done}/{event.total}  " if event.total is not None else ""
            eta = f"ETA {format_duration(event.eta_s)}" if event.eta_s is not None else ""
            self.progress.setFormat(f"{count}{eta}  {event.message}".strip())
        elif isinstance(event, Partial):
            self.on_partial(event)
        elif isinstance(event, Log):
            self.status.setText(event.message)
            self.status_message.emit(event.message)
        else:
            self.on_event(event)

    @Slot(object)
    def _on_returned(self, result: object) -> None:
        elapsed = time.monotonic() - self._started
        self.progress.setValue(1000)
        self.on_done(result, elapsed)

    @Slot(object)
    def _on_errored(self, exc: BaseException) -> None:
        self.status.setText(user_message(exc))
        self.on_error(exc)
        if not is_expected(exc):
            show_error_dialog(self, exc)

    @Slot()
    def _on_cancelled(self) -> None:
        self.status.setText("Stopped.")
        self.progress.setFormat("Stopped")

    @Slot()
    def _on_finished(self) -> None:
        self._busy = False
        self.stop_button.setEnabled(False)
        self.busy_changed.emit(False)

    def on_partial(self, event: Partial) -> None:
        """A batch of results arrived."""

    def on_event(self, event: Event) -> None:
        """An event specific to this tab's job (levels, live text)."""

    def on_done(self, result: object, elapsed_s: float) -> None:
        """The job returned."""
        self.status.setText(f"Done in {elapsed_s:.1f} s.")

    def on_error(self, exc: BaseException) -> None:
        """The job failed; the status line already shows why."""

    @Slot()
    def open_files(self) -> None:
        """File > Open… for this tab: remembers the folder, then hands the files to `add_paths`."""
        files, _ = QFileDialog.getOpenFileNames(
            self,
            f"Add {self.noun}",
            self.settings.last_folder or str(Path.home()),
            self.file_filter,
        )
        if files:
            self.settings.last_folder = str(Path(files[0]).parent)
            self.add_paths(files)

    def add_paths(self, new_paths: list[str]) -> None:
        """Start (or queue) the tab's job on these files and folders."""
