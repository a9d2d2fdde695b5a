"""The wizard's Train page: the run with live curves, pause, finish now, stop and resume."""

from __future__ import annotations

from PySide6.QtCore import Slot
from PySide6.QtWidgets import (
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWizardPage,
)

from fmstudio.core.events import Event, PauseGate, Progress, format_duration
from fmstudio.core.modalities import modality
from fmstudio.core.train.events import WARM_UP, EpochMetrics, StepMetrics
from fmstudio.core.train.spec import TrainSpec
from fmstudio.ui.errors import user_message
from fmstudio.ui.jobs import JobController, lazy_job
from fmstudio.ui.widgets.curves import LiveCurves
from fmstudio.ui.widgets.job_status import JobStatus
from fmstudio.ui.widgets.shortcuts import add_shortcut
from fmstudio.ui.wizard.state import Trained, WizardState


class TrainPage(QWizardPage):
    def __init__(self, state: WizardState) -> None:
        super().__init__()
        self.state = state
        self.setTitle("Train")
        self.setSubTitle("Training runs in the background; pause, resume or stop at any time.")
        self.curves = LiveCurves()
        self.metrics = QLabel("Waiting to start…")
        self._stepping = False
        self.log = QPlainTextEdit()
        self.log.setReadOnly(True)
        self.log.setMaximumBlockCount(5000)
        self.gate = PauseGate()
        self.jobs = JobController(self)
        self.jobs.failed.connect(self._failed)
        self.jobs.other_event.connect(self._metrics)
        self.jobs.progress.connect(self._progress)
        self.jobs.log.connect(self._log_line)
        self.jobs.busy_changed.connect(self._busy_changed)
        self.status = JobStatus(self.jobs)
        self.pause_button = QPushButton("Pause")
        self.pause_button.setCheckable(True)
        self.pause_button.setToolTip("Pause between steps (Ctrl+P); press again to continue")
        self.pause_button.toggled.connect(self._toggle_pause)
        add_shortcut(self, "Pause or resume", "Ctrl+P", self.pause_button.click)
        self.status.add_button(self.pause_button)
        self.finish_button = QPushButton("Finish now")
        self.finish_button.setToolTip(
            "End the run and keep its best epoch so far: it is evaluated and can be saved "
            "(Ctrl+Shift+F); after a Stop, from the epochs the run finished"
        )
        self.finish_button.clicked.connect(self.finish_now)
        add_shortcut(self, "Finish now", "Ctrl+Shift+F", self.finish_now)
        self.status.add_button(self.finish_button)
        self.resume_button = QPushButton("Resume")
        self.resume_button.setToolTip(
            "Continue a stopped run from its last finished epoch (Ctrl+Shift+R)"
        )
        self.resume_button.clicked.connect(self.resume)
        self.resume_button.setEnabled(False)
        add_shortcut(self, "Resume a stopped run", "Ctrl+Shift+R", self.resume)
        self.status.add_button(self.resume_button)
        self.status.stop_button.setToolTip(
            "Stop (Esc): the finished epochs are kept while the wizard is open; Resume "
            "continues the run, Finish now keeps its best epoch"
        )
        split = QSplitter()
        split.setOrientation(split.orientation().Vertical)
        split.addWidget(self.curves)
        split.addWidget(self.log)
        split.setSizes([320, 120])
        layout = QVBoxLayout(self)
        layout.addWidget(split, 1)
        layout.addWidget(self.metrics)
        layout.addWidget(self.status)

    def initializePage(self) -> None:
        self.state.trained = None
        self.state.discard_staging()
        spec = self.state.train_spec()
        assert self.state.report is not None  # the job splits it as the spec says
        self.curves.reset()
        self.log.clear()
        self._stepping = False
        self.metrics.setText("Starting…")
        self.gate = PauseGate()
        self._start(spec, resume=False)

    def _start(self, spec: TrainSpec, resume: bool) -> None:
        self.pause_button.setChecked(False)
        self.pause_button.setEnabled(True)
        self.finish_button.setEnabled(True)
        self.resume_button.setEnabled(False)
        train = modality(spec.task).train
        job = lazy_job(train, spec, report=self.state.report, pause=self.gate, resume=resume)
        self.jobs.start(job, "Resuming…" if resume else "Starting…", on_done=self._trained)
        self.completeChanged.emit()

    @Slot()
    def finish_now(self) -> None:
        """While training: end at the next step. After a Stop: resume only to keep the best
        finished epoch (the loop ends before its first step)."""
        if self.gate.finishing:
            return
        if not self.jobs.is_busy():
            if self.state.stopped_run() is None:
                return
            self.gate = PauseGate()
            self.gate.finish()
            self._start(self.state.resumed_spec(), resume=True)
        else:
            self.gate.finish()
        self.finish_button.setEnabled(False)
        self.pause_button.setEnabled(False)
        self.status.say("Finishing: the best epoch so far is kept, evaluated and saved…")

    @Slot()
    def resume(self) -> None:
        if self.jobs.is_busy() or self.state.stopped_run() is None:
            return
        self.gate = PauseGate()
        self._start(self.state.resumed_spec(), resume=True)

    @Slot(bool)
    def _toggle_pause(self, paused: bool) -> None:
        if paused:
            self.gate.pause()
            self.pause_button.setText("Continue")  # "Resume" is the stopped run's button
            self.status.say("Paused: the run waits between two steps.")
        else:
            self.gate.resume()
            self.pause_button.setText("Pause")
            self.status.say("Resumed.")

    @Slot(object)
    def _metrics(self, event: Event) -> None:
        self.curves.history.add(event)
        if isinstance(event, StepMetrics):
            self._stepping = True  # the Progress that follows is this step's: the line stays
            self.metrics.setText(
                f"{event.phase}: epoch {event.epoch} · step {event.step}/{event.steps_total} · "
                f"loss {event.loss:.4f} · lr {event.lr:.2e} · {event.samples_per_s:.3g} samples/s"
                f" · ETA {format_duration(event.eta_s)}"
            )
        elif isinstance(event, EpochMetrics) and event.phase != WARM_UP:
            self._log_line(event.summary())

    @Slot(object)
    def _progress(self, event: Progress) -> None:
        """Between steps (reading, features, validation, scoring the saved model) the line
        says what is happening; a step's own progress leaves its richer line in place."""
        if self._stepping:
            self._stepping = False
            return
        self.metrics.setText(event.describe())

    @Slot(str)
    def _log_line(self, message: str) -> None:
        self.log.appendPlainText(message)

    def _trained(self, result: Trained, _elapsed: float) -> None:
        self.state.trained = result
        self.completeChanged.emit()

    @Slot(object)
    def _failed(self, exc: BaseException) -> None:
        self._log_line(f"error: {user_message(exc)}")

    @Slot(bool)
    def _busy_changed(self, busy: bool) -> None:
        self.pause_button.setEnabled(busy and not self.gate.finishing)
        self.finish_button.setEnabled(busy and not self.gate.finishing)
        if not busy:
            self.gate.resume()
            self.metrics.setText("")  # no step line and its ETA once the run has ended
            if self.state.trained is None:
                self._stopped()
        self.completeChanged.emit()

    def _stopped(self) -> None:
        stopped = self.state.stopped_run()
        if stopped is None:
            self._log_line("Stopped. Go Back to change the settings and train again.")
            return
        self._log_line(
            f"Stopped after epoch {stopped.epoch} of the {stopped.phase} phase. Resume "
            "(Ctrl+Shift+R) continues from there; Finish now (Ctrl+Shift+F) keeps its best "
            f"epoch ({stopped.best_epoch or 'the starting weights'})."
        )
        self.resume_button.setEnabled(True)
        self.finish_button.setEnabled(True)

    def stop(self) -> None:
        self.gate.resume()
        self.jobs.wait_stopped()

    def cleanupPage(self) -> None:
        self.stop()

    def isComplete(self) -> bool:
        return self.state.trained is not None and not self.jobs.is_busy()
