"""The wizard's Evaluate page: the model measured on examples it never trained on."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QVBoxLayout,
    QWizardPage,
)

from fmstudio.core.modalities import modality
from fmstudio.core.requests import Compare, Evaluate
from fmstudio.ui.jobs import JobController, lazy_job
from fmstudio.ui.widgets.comparison_view import ComparisonView
from fmstudio.ui.widgets.evaluation_view import EvaluationView
from fmstudio.ui.widgets.job_status import JobStatus
from fmstudio.ui.widgets.wer_view import WerView
from fmstudio.ui.wizard.state import WizardState

if TYPE_CHECKING:
    from fmstudio.core.classify.compare import Comparison
    from fmstudio.core.classify.evaluate import EvalResult
    from fmstudio.core.classify.train_job import TrainResult
    from fmstudio.core.speech.evaluate import SpeechEvaluation
    from fmstudio.core.speech.train_job import SpeechTrainResult


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
            self._show_trained()
            self._compare(trained)
            return
        report = self.state.report
        assert report is not None
        self.setSubTitle(f"{self.state.model} on {report.root}")
        request = Evaluate(
            self.state.task, self.state.model, report.root, device=self.state.settings.device
        )
        # The Data page's scan already read (and decoded) every example: the job reuses it.
        job = lazy_job(modality(self.state.task).evaluate, request, report=report)
        transcribes = modality(self.state.task).transcribes
        shown = self._show_speech_evaluation if transcribes else self._show_evaluation
        self.jobs.start(job, "Evaluating…", on_done=shown)

    def _show_trained(self) -> None:
        classified, transcribed = self.state.classifier_run, self.state.transcriber_run
        if classified is not None:
            self.view.show_result(classified.evaluation, classified.misclassified)
        elif transcribed is not None and transcribed.after is not None:
            self.wer_view.show_scores(transcribed.after, transcribed.before)
        else:
            self.setSubTitle("No clips were held out, so the model could not be measured.")

    def _compare(self, trained: TrainResult | SpeechTrainResult) -> None:
        """A retrained classifier against the model it grew from, on the same files."""
        previous, run = self.state.previous_model, self.state.classifier_run
        report = run.report if run is not None else None
        if previous is None or report is None or not report.val:
            return
        self.setSubTitle(f"The new model beside {previous}, on the same validation files.")
        ask = Compare(self.state.task, previous, str(trained.folder), self.state.settings.device)
        job = lazy_job("fmstudio.core.classify.compare:compare_models", ask, report=report)
        self.jobs.start(
            job, f"Measuring {previous} on the same files…", on_done=self._show_comparison
        )

    def _show_comparison(self, result: Comparison, _elapsed: float) -> None:
        self.comparison.show_comparison(result)
        self.comparison.show()

    def _show_speech_evaluation(self, result: SpeechEvaluation, _elapsed: float) -> None:
        self.wer_view.show_scores(result.scores, name=result.model)

    def _show_evaluation(self, result: EvalResult, _elapsed: float) -> None:
        self.view.show_result(result.evaluation, result.misclassified)

    def isComplete(self) -> bool:
        return not self.jobs.is_busy()

    def cleanupPage(self) -> None:
        self.jobs.wait_stopped()
