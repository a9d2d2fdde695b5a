"""The wizard's last pages: train with live curves, evaluate, and save into the library."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Slot
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWizardPage,
)

from fmstudio.core.errors import FmError
from fmstudio.core.events import Event, PauseGate, format_duration
from fmstudio.core.library import check_replaceable, output_folder, publish
from fmstudio.core.train.spec import EpochMetrics, StepMetrics
from fmstudio.ui.errors import user_message
from fmstudio.ui.widgets.curves import LiveCurves
from fmstudio.ui.widgets.evaluation_view import EvaluationView
from fmstudio.ui.wizard.setup_pages import JobPanel

if TYPE_CHECKING:
    from fmstudio.ui.wizard.wizard import FineTuneWizard


class TrainPage(QWizardPage):
    def __init__(self, wizard: FineTuneWizard) -> None:
        super().__init__()
        self.wiz = wizard
        self.setTitle("Train")
        self.setSubTitle("Training runs in the background; pause, resume or stop at any time.")
        self.curves = LiveCurves()
        self.metrics = QLabel("Waiting to start…")
        self.log = QPlainTextEdit()
        self.log.setReadOnly(True)
        self.log.setMaximumBlockCount(5000)
        self.pause_button = QPushButton("Pause")
        self.pause_button.setCheckable(True)
        self.pause_button.setToolTip("Pause between steps (Ctrl+P); press again to resume")
        self.pause_button.setShortcut("Ctrl+P")
        self.pause_button.toggled.connect(self._toggle_pause)
        self.panel = JobPanel(self)
        self.panel.done.connect(self._trained)
        self.panel.failed.connect(self._failed)
        self.panel.event.connect(self._metrics)
        self.panel.status_message.connect(self._log_line)
        self.panel.busy_changed.connect(self._busy_changed)
        self.gate = PauseGate()
        buttons = QHBoxLayout()
        buttons.addWidget(self.panel.progress, 1)
        buttons.addWidget(self.pause_button)
        buttons.addWidget(self.panel.stop_button)
        split = QSplitter()
        split.setOrientation(split.orientation().Vertical)
        split.addWidget(self.curves)
        split.addWidget(self.log)
        split.setSizes([320, 120])
        layout = QVBoxLayout(self)
        layout.addWidget(split, 1)
        layout.addWidget(self.metrics)
        layout.addLayout(buttons)
        layout.addWidget(self.panel.status)
        self.done = False

    def initializePage(self) -> None:
        self.done = False
        self.wiz.discard_staging()
        report = self.wiz.report
        assert report is not None
        spec = self.wiz.settings_page.spec(str(self.wiz.new_staging()))
        report.resplit(spec.val_split, spec.seed)
        self.curves.reset()
        self.log.clear()
        self.gate = PauseGate()
        self.pause_button.setChecked(False)
        self.pause_button.setEnabled(True)
        gate = self.gate

        def factory(token):  # type: ignore[no-untyped-def]
            from fmstudio.core.train.job import fine_tune

            return fine_tune(spec, report, token, gate)

        self.panel.start_job(factory, "Starting…")
        self.completeChanged.emit()

    @Slot(bool)
    def _toggle_pause(self, paused: bool) -> None:
        if paused:
            self.gate.pause()
            self.pause_button.setText("Resume")
            self.panel.status.setText("Paused: the run waits between two steps.")
        else:
            self.gate.resume()
            self.pause_button.setText("Pause")
            self.panel.status.setText("Resumed.")

    @Slot(object)
    def _metrics(self, event: Event) -> None:
        self.curves.history.add(event)
        if isinstance(event, StepMetrics):
            self.metrics.setText(
                f"{event.phase}: epoch {event.epoch} · step {event.step}/{event.steps_total} · "
                f"loss {event.loss:.4f} · lr {event.lr:.2e} · {event.samples_per_s:.0f} samples/s"
                f" · ETA {format_duration(event.eta_s)}"
            )
        elif isinstance(event, EpochMetrics) and event.phase != "warm-up":
            val = (
                f", val loss {event.val_loss:.4f}, val accuracy {event.val_accuracy:.1%}"
                if event.val_loss is not None and event.val_accuracy is not None
                else ""
            )
            best = " (best so far)" if event.best else ""
            self._log_line(
                f"epoch {event.epoch}/{event.epochs}: loss {event.train_loss:.4f}{val}{best}"
            )

    @Slot(str)
    def _log_line(self, message: str) -> None:
        self.log.appendPlainText(message)

    @Slot(object)
    def _trained(self, result: object) -> None:
        self.wiz.result = result
        self.done = True
        self.completeChanged.emit()

    @Slot(object)
    def _failed(self, exc: BaseException) -> None:
        self._log_line(f"error: {user_message(exc)}")

    @Slot(bool)
    def _busy_changed(self, busy: bool) -> None:
        self.pause_button.setEnabled(busy)
        if not busy:
            self.gate.resume()
            if not self.done:
                self._log_line("Stopped. Go Back to change the settings and train again.")
        self.completeChanged.emit()

    def stop(self) -> None:
        self.gate.resume()
        self.panel.shutdown()

    def cleanupPage(self) -> None:
        self.stop()

    def isComplete(self) -> bool:
        return self.done and not self.panel.is_busy()


class EvaluatePage(QWizardPage):
    def __init__(self, wizard: FineTuneWizard) -> None:
        super().__init__()
        self.wiz = wizard
        self.setTitle("Evaluate")
        self.view = EvaluationView()
        self.panel = JobPanel(self)
        self.panel.done.connect(self._evaluated)
        self.panel.busy_changed.connect(lambda _b: self.completeChanged.emit())
        layout = QVBoxLayout(self)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.panel.progress)
        layout.addWidget(self.panel.status)

    def initializePage(self) -> None:
        if not self.wiz.evaluate_only:
            self.setSubTitle("How the model did on the validation examples it never trained on.")
            self.panel.progress.hide()
            result = self.wiz.result
            self.view.show_result(result.evaluation, result.misclassified)  # type: ignore[union-attr]
            return
        model = self.wiz.model_page.picker.model_name()
        report = self.wiz.report
        self.setSubTitle(f"{model} on {report.root if report else ''}")
        device = self.wiz.settings.device

        def factory(token):  # type: ignore[no-untyped-def]
            from fmstudio.core.train.evaluate import evaluate_model

            return evaluate_model(
                self.wiz.task, model, report.root, device=device, cancel=token, report=report
            )

        self.panel.start_job(factory, "Evaluating…")

    @Slot(object)
    def _evaluated(self, result: object) -> None:
        self.view.show_result(result.evaluation, result.misclassified)  # type: ignore[attr-defined]

    def isComplete(self) -> bool:
        return not self.panel.is_busy()

    def cleanupPage(self) -> None:
        self.panel.shutdown()


class SavePage(QWizardPage):
    def __init__(self, wizard: FineTuneWizard) -> None:
        super().__init__()
        self.wiz = wizard
        self.setTitle("Save")
        self.setSubTitle("Name the model; it goes into your library and the tabs list it at once.")
        self.name = QLineEdit()
        self.name.setToolTip("Letters, digits, spaces, '.', '-' and '_'")
        self.name.textChanged.connect(self._check)
        self.where = QLabel()
        self.where.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Name:"))
        layout.addWidget(self.name)
        layout.addWidget(self.where)
        layout.addStretch(1)

    def initializePage(self) -> None:
        report = self.wiz.report
        stem = (report.root.rstrip("/").split("/")[-1] if report else "model").split(".")[0]
        self.name.setText(f"{stem}-{self.wiz.task}")

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
        return True

    def validatePage(self) -> bool:
        staging = self.wiz.staging
        if staging is None:
            return False
        try:
            target = publish(staging, self.name.text())
        except (OSError, FmError) as exc:
            self.where.setText(f"Could not save: {exc}")
            return False
        self.wiz.staging = None
        self.wiz.saved = target
        self.wiz.model_saved.emit(self.wiz.task, target.name)
        return True
