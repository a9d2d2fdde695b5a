"""A job's progress bar, status line and Stop button, bound to one `JobController`."""

from __future__ import annotations

from PySide6.QtCore import Slot
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QVBoxLayout, QWidget

from fmstudio.core.events import Activity, Log, Progress
from fmstudio.ui.errors import user_message
from fmstudio.ui.jobs import JobController


class JobStatus(QWidget):
    """Shows what the controller's job is doing; Stop (Esc) cancels it.

    `add_button` puts a page's own buttons (Pause, Export…) between the bar and Stop.
    """

    def __init__(
        self, jobs: JobController, parent: QWidget | None = None, stop_key: str | None = "Esc"
    ) -> None:
        super().__init__(parent)
        self.jobs = jobs
        self.bar = QProgressBar()
        self.bar.setRange(0, 1000)
        self.bar.setFormat("")
        self.stop_button = QPushButton("Stop")
        self.stop_button.setToolTip(f"Stop the running job ({stop_key})" if stop_key else "")
        if stop_key:
            self.stop_button.setShortcut(stop_key)
        self.stop_button.setEnabled(False)
        self.stop_button.clicked.connect(self._stop)
        self.line = QLabel()
        self.line.setWordWrap(True)
        self._row = QHBoxLayout()
        self._row.addWidget(self.bar, 1)
        self._row.addWidget(self.stop_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(self._row)
        layout.addWidget(self.line)
        jobs.started.connect(self._started)
        jobs.progress.connect(self._progress)
        jobs.logged.connect(self._logged)
        self._label = ""
        self._transient = False
        self.notes: list[str] = []
        """The line is an activity the job announced ("Loading x…"), over once work goes on."""
        jobs.done.connect(self._done)
        jobs.failed.connect(self._failed)
        jobs.cancelled.connect(self._cancelled)
        jobs.busy_changed.connect(self.stop_button.setEnabled)

    def add_button(self, button: QWidget) -> None:
        self._row.insertWidget(self._row.count() - 1, button)

    @Slot(str)
    def say(self, message: str) -> None:
        self.line.setText(message)

    def text(self) -> str:
        return self.line.text()

    @Slot()
    def _stop(self) -> None:
        if self.jobs.is_busy():
            self.jobs.stop()
            self.say("Stopping…")

    @Slot(object)
    def _logged(self, event: Log) -> None:
        self.say(event.message)
        self._transient = isinstance(event, Activity)
        if not self._transient:
            self.notes.append(event.message)

    def with_notes(self, summary: str) -> str:
        """The run's summary followed by what the job said along the way ("using
        use-multilingual…", "2 speakers found…"), so it is still there once the run ends."""
        return " ".join([summary, *(n if n.endswith(".") else n + "." for n in self.notes)])

    @Slot(str)
    def _started(self, label: str) -> None:
        self.notes.clear()
        self.bar.setValue(0)
        self.bar.setFormat(label)
        self._label = label
        self.say(label)

    @Slot(object)
    def _progress(self, event: Progress) -> None:
        self.bar.setValue(int(event.fraction * 1000))
        self.bar.setFormat(event.describe())
        if event.fraction > 0:  # "Loading x…" is over once work is done
            self.settle()

    @Slot(object, float)
    def _done(self, _result: object, elapsed_s: float) -> None:
        self.bar.setValue(1000)
        self.bar.setFormat("Done")
        self.say(f"Done in {elapsed_s:.1f} s.")

    def settle(self) -> None:
        """Work goes on without progress to report (a recording's blocks): an announced
        activity ("Loading whisper-tiny.en…") is over, so the line says the job's label."""
        if self._transient:
            self._transient = False
            self.say(self._label)

    def relabel(self, label: str) -> None:
        """The running job moved on to another phase (a recording is being transcribed): the
        bar and the line say the new one, and nothing says the old one any more."""
        self._label = label
        self._transient = False
        self.bar.setFormat(label)
        self.say(label)

    def refuse(self, why: str) -> None:
        """The job ran, but what it found cannot be used (a dataset with one class): the bar
        says so instead of a full "Done"."""
        self.bar.setValue(0)
        self.bar.setFormat("Cannot be used")
        self.say(why)

    @Slot(object)
    def _failed(self, exc: BaseException) -> None:
        self.bar.setFormat("Failed")
        self.say(user_message(exc))

    @Slot()
    def _cancelled(self) -> None:
        self.bar.setFormat("Stopped")
        self.say("Stopped.")
