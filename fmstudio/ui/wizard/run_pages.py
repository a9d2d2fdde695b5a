"""The wizard's last pages: train with live curves, evaluate, and save into the library."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, cast

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QSplitter,
    QVBoxLayout,
    QWizardPage,
)

from fmstudio.core.catalog import is_frozen
from fmstudio.core.classify.scan import DatasetReport
from fmstudio.core.errors import FmError
from fmstudio.core.events import Event, PauseGate, Progress, format_duration
from fmstudio.core.library import check_replaceable, output_folder, publish
from fmstudio.core.modalities import exportable_tasks, modality
from fmstudio.core.requests import Compare, Evaluate
from fmstudio.core.train.events import WARM_UP, EpochMetrics, StepMetrics
from fmstudio.core.train.spec import TrainSpec
from fmstudio.ui.errors import user_message
from fmstudio.ui.jobs import JobController, lazy_job
from fmstudio.ui.widgets.comparison_view import ComparisonView
from fmstudio.ui.widgets.curves import LiveCurves
from fmstudio.ui.widgets.evaluation_view import EvaluationView
from fmstudio.ui.widgets.job_status import JobStatus
from fmstudio.ui.widgets.shortcuts import add_shortcut
from fmstudio.ui.widgets.wer_view import WerView
from fmstudio.ui.wizard.state import WizardState

if TYPE_CHECKING:
    from fmstudio.core.classify.compare import Comparison
    from fmstudio.core.classify.evaluate import EvalResult
    from fmstudio.core.classify.train_job import TrainResult
    from fmstudio.core.speech.evaluate import SpeechEvaluation
    from fmstudio.core.speech.train_job import SpeechTrainResult


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
        self.jobs.done.connect(self._trained)
        self.jobs.failed.connect(self._failed)
        self.jobs.other_event.connect(self._metrics)
        self.jobs.progress.connect(self._progress)
        self.jobs.log.connect(self._log_line)
        self.jobs.busy_changed.connect(self._busy_changed)
        self.status = JobStatus(self.jobs)
        self.pause_button = QPushButton("Pause")
        self.pause_button.setCheckable(True)
        self.pause_button.setToolTip("Pause between steps (Ctrl+P); press again to resume")
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
        report = self.state.report
        assert report is not None
        if isinstance(report, DatasetReport) and self.state.keep_validation:
            report = report.keep_validation(self.state.keep_validation)
        report = self.state.run_report = report.resplit(spec.val_split, spec.seed)
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
        job = lazy_job(train, spec, report=self.state.run_report, pause=self.gate, resume=resume)
        self.jobs.start(job, "Resuming…" if resume else "Starting…")
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
            self.pause_button.setText("Resume")
            self.status.say("Paused: the run waits between two steps.")
        else:
            self.gate.resume()
            self.pause_button.setText("Pause")
            self.status.say("Resumed.")

    @Slot(object)
    def _metrics(self, event: Event) -> None:
        self.curves.history.add(event)
        if isinstance(event, StepMetrics):
            self._stepping = True
            self.metrics.setText(
                f"{event.phase}: epoch {event.epoch} · step {event.step}/{event.steps_total} · "
                f"loss {event.loss:.4f} · lr {event.lr:.2e} · {event.samples_per_s:.3g} samples/s"
                f" · ETA {format_duration(event.eta_s)}"
            )
        elif isinstance(event, EpochMetrics) and event.phase != WARM_UP:
            self._log_line(event.summary())

    @Slot(object)
    def _progress(self, event: Progress) -> None:
        """Before the first step (reading, features), the line says what is happening."""
        if not self._stepping:
            self.metrics.setText(event.describe())

    @Slot(str)
    def _log_line(self, message: str) -> None:
        self.log.appendPlainText(message)

    @Slot(object, float)
    def _trained(self, result: TrainResult | SpeechTrainResult, _elapsed: float) -> None:
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


class EvaluatePage(QWizardPage):
    def __init__(self, state: WizardState) -> None:
        super().__init__()
        self.state = state
        self.setTitle("Evaluate")
        self.view = EvaluationView()
        self.wer_view = WerView()
        self.comparison = ComparisonView()
        self.comparison.hide()
        self.jobs = JobController(self)
        self.jobs.done.connect(self._evaluated)
        self.jobs.busy_changed.connect(self.completeChanged)
        self.status = JobStatus(self.jobs)
        layout = QVBoxLayout(self)
        layout.addWidget(self.comparison, 1)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.wer_view, 1)
        layout.addWidget(self.status)

    def initializePage(self) -> None:
        speech = modality(self.state.task).transcribes
        self.view.setVisible(not speech)
        self.wer_view.setVisible(speech)
        trained = self.state.trained
        self.comparison.hide()
        if not self.state.evaluate_only and trained is not None:
            self.setSubTitle("How the model did on the validation examples it never trained on.")
            self.status.setVisible(self.state.previous_model is not None)
            self._show_trained(trained)
            self._compare(trained)
            return
        report = self.state.report
        assert report is not None
        self.setSubTitle(f"{self.state.model} on {report.root}")
        request = Evaluate(
            self.state.task, self.state.model, report.root, device=self.state.settings.device
        )
        job = lazy_job(modality(self.state.task).evaluate, request)
        self.jobs.start(job, "Evaluating…")

    def _show_trained(self, trained: TrainResult | SpeechTrainResult) -> None:
        # The task says which result it is: the result classes live with torch.
        if not modality(self.state.task).transcribes:
            result = cast("TrainResult", trained)
            self.view.show_result(result.evaluation, result.misclassified)
            return
        speech = cast("SpeechTrainResult", trained)
        if speech.after is not None:
            self.wer_view.show_scores(speech.after, speech.before)
        else:
            self.setSubTitle("No clips were held out, so the model could not be measured.")

    def _compare(self, trained: TrainResult | SpeechTrainResult) -> None:
        """A retrained classifier against the model it grew from, on the same files."""
        previous, report = self.state.previous_model, self.state.run_report
        if previous is None or not isinstance(report, DatasetReport) or not report.val:
            return
        self.setSubTitle(f"The new model beside {previous}, on the same validation files.")
        ask = Compare(self.state.task, previous, str(trained.folder), self.state.settings.device)
        job = lazy_job("fmstudio.core.classify.compare:compare_models", ask, report=report)
        self.jobs.start(job, f"Measuring {previous} on the same files…")

    @Slot(object, float)
    def _evaluated(
        self, result: EvalResult | SpeechEvaluation | Comparison, _elapsed: float
    ) -> None:
        if self.state.previous_model is not None and self.state.trained is not None:
            self.comparison.show_comparison(cast("Comparison", result))
            self.comparison.show()
            return
        if modality(self.state.task).transcribes:
            speech = cast("SpeechEvaluation", result)
            self.wer_view.show_scores(speech.scores, name=speech.model)
        else:
            evaluated = cast("EvalResult", result)
            self.view.show_result(evaluated.evaluation, evaluated.misclassified)

    def isComplete(self) -> bool:
        return not self.jobs.is_busy()

    def cleanupPage(self) -> None:
        self.jobs.wait_stopped()


class SavePage(QWizardPage):
    saved = Signal(str, str)
    """(task, name) once the model is in the library."""
    label_next = Signal(str, str, str, str, int)
    """(task, model, dataset, unlabelled folder, n): classify the folder with the new model
    and review its n least sure files into the dataset."""
    export_requested = Signal(str, str)
    """(task, name): open the export dialog on the saved model."""

    def __init__(self, state: WizardState) -> None:
        super().__init__()
        self.state = state
        self.setTitle("Save")
        self.setSubTitle("Name the model; it goes into your library and the tabs list it at once.")
        self.name = QLineEdit()
        self.name.setToolTip("Letters, digits, spaces, '.', '-' and '_'")
        self.name.textChanged.connect(self._check)
        self.where = QLabel()
        self.where.setWordWrap(True)
        self.next_box = self._label_next_box()
        self.export_after = QCheckBox("Then export it for deployment (ONNX or TorchScript)…")
        self.export_after.setToolTip(
            "After saving, open the export dialog: the model as ONNX or TorchScript, checked "
            "against PyTorch, with a README that shows how to run it without fmstudio"
        )
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Name:"))
        layout.addWidget(self.name)
        layout.addWidget(self.where)
        layout.addWidget(self.export_after)
        layout.addWidget(self.next_box)
        layout.addStretch(1)

    def _label_next_box(self) -> QGroupBox:
        """Active learning: what the new model is least sure of is what to label next."""
        box = QGroupBox("Then find what to label next")
        box.setCheckable(True)
        box.setChecked(False)
        box.setToolTip(
            "Classify a folder of unlabelled files with the new model and review the least "
            "sure ones into this dataset; then retrain"
        )
        self.unlabelled = QLineEdit()
        self.unlabelled.setPlaceholderText("a folder of unlabelled files")
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._browse_unlabelled)
        self.how_many = QSpinBox()
        self.how_many.setRange(1, 10_000)
        self.how_many.setValue(20)
        self.how_many.setToolTip("How many of the least sure files to review")
        self.unlabelled.textChanged.connect(self.completeChanged)
        box.toggled.connect(self.completeChanged)
        form = QFormLayout(box)
        row = QHBoxLayout()
        row.addWidget(self.unlabelled, 1)
        row.addWidget(browse)
        form.addRow("Folder:", row)
        form.addRow("Review the least sure:", self.how_many)
        return box

    @Slot()
    def _browse_unlabelled(self) -> None:
        start = self.unlabelled.text() or self.state.settings.last_folder or str(Path.home())
        chosen = QFileDialog.getExistingDirectory(self, "Unlabelled files", start)
        if chosen:
            self.unlabelled.setText(chosen)

    def initializePage(self) -> None:
        report = self.state.report
        stem = Path(report.root).stem if report else "model"
        self.name.setText(self.state.previous_model or f"{stem}-{self.state.task}")
        classifier = not modality(self.state.task).transcribes
        self.next_box.setVisible(classifier and report is not None and Path(report.root).is_dir())
        task = self.state.task
        exportable = task in exportable_tasks() and not is_frozen(self.state.model, task)
        self.export_after.setVisible(exportable)

    @Slot()
    def _check(self) -> None:
        try:
            target = output_folder(self.name.text())
            check_replaceable(target)
        except FmError as exc:
            self.where.setText(user_message(exc))
        else:
            replace = " (a model with this name exists and will be replaced)"
            self.where.setText(f"Saves to {target}{replace if target.exists() else ''}")
        self.completeChanged.emit()

    def isComplete(self) -> bool:
        try:
            check_replaceable(output_folder(self.name.text()))
        except FmError:
            return False
        if self._labelling_next():
            folder = self.unlabelled.text().strip()
            return bool(folder) and Path(folder).expanduser().is_dir()
        return True

    def _labelling_next(self) -> bool:
        return not self.next_box.isHidden() and self.next_box.isChecked()

    def validatePage(self) -> bool:
        staging = self.state.staging
        if staging is None:
            return False
        try:
            target = publish(staging, self.name.text())
        except (OSError, FmError) as exc:
            self.where.setText(f"Could not save: {exc}")
            return False
        self.state.staging = None
        self.saved.emit(self.state.task, target.name)
        if not self.export_after.isHidden() and self.export_after.isChecked():
            self.export_requested.emit(self.state.task, target.name)
        report = self.state.report
        if report is not None and self._labelling_next():
            folder = self.unlabelled.text().strip()
            self.label_next.emit(
                self.state.task, target.name, report.root, folder, self.how_many.value()
            )
        return True
