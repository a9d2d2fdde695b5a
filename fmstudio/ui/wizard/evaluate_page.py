"""The wizard's Evaluate page: the model measured on examples it never trained on."""

from __future__ import annotations

from typing import Any, Protocol

from PySide6.QtWidgets import QVBoxLayout, QWizardPage

from fmstudio.core.modalities import import_target, modality
from fmstudio.core.requests import Compare, Evaluate
from fmstudio.ui.jobs import JobController, lazy_job
from fmstudio.ui.widgets.comparison_view import Compared, ComparisonView
from fmstudio.ui.widgets.job_status import JobStatus
from fmstudio.ui.wizard.state import Trained, WizardState


class FamilyView(Protocol):
    """What the page asks of a family's view (`Family.view`): show a fine-tuned model's
    measurements (or say why there are none), and an evaluate job's result."""

    def show_trained(self, result: Any) -> str | None: ...

    def show_evaluated(self, result: Any) -> None: ...

    def setVisible(self, visible: bool) -> None: ...


class EvaluatePage(QWizardPage):
    def __init__(self, state: WizardState) -> None:
        super().__init__()
        self.state = state
        self.setTitle("Evaluate")
        self.views: dict[str, FamilyView] = {}
        """One view per family, made when a task of that family is first measured."""
        self.view: FamilyView | None = None
        """The shown view: the current task's family's."""
        self.comparison = ComparisonView()
        self.comparison.hide()
        self.jobs = JobController(self)
        self.jobs.busy_changed.connect(self.completeChanged)
        self.status = JobStatus(self.jobs)
        self._layout = QVBoxLayout(self)
        self._layout.addWidget(self.comparison, 1)
        self._layout.addWidget(self.status)

    def shutdown(self) -> None:
        """Stop the evaluation and anything a view plays (a recording it got wrong)."""
        self.jobs.shutdown()
        for view in self.views.values():
            stop = getattr(view, "shutdown", None)
            if stop is not None:
                stop()

    def _show_family_view(self) -> FamilyView:
        """Show the view of the current task's family (made on first use), the others hidden."""
        family = modality(self.state.task).family
        if family.view not in self.views:
            made = import_target(family.view)()  # a QWidget that is a FamilyView
            self._layout.insertWidget(self._layout.count() - 1, made, 1)
            self.views[family.view] = made
        for path, widget in self.views.items():
            widget.setVisible(path == family.view)
        self.view = view = self.views[family.view]
        return view

    def initializePage(self) -> None:
        view = self._show_family_view()
        trained = self.state.trained
        self.comparison.hide()
        if not self.state.evaluate_only and trained is not None:
            self.setSubTitle("How the model did on the validation examples it never trained on.")
            self.status.setVisible(self.state.previous_model is not None)
            why_not = view.show_trained(trained)
            if why_not:
                self.setSubTitle(why_not)
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
        self.jobs.start(job, "Evaluating…", on_done=self._evaluated)

    def _evaluated(self, result: object, _elapsed: float) -> None:
        assert self.view is not None
        self.view.show_evaluated(result)

    def _compare(self, trained: Trained) -> None:
        """A retrained model against the one it grew from, on the same held-out examples
        (where its family can compare: speech cannot yet)."""
        previous, report = self.state.previous_model, trained.report
        compare = modality(self.state.task).family.compare
        if previous is None or report is None or not report.val or compare is None:
            return
        self.setSubTitle(f"The new model beside {previous}, on the same validation files.")
        ask = Compare(self.state.task, previous, str(trained.folder), self.state.settings.device)
        job = lazy_job(compare, ask, report=report)
        self.jobs.start(
            job, f"Measuring {previous} on the same files…", on_done=self._show_comparison
        )

    def _show_comparison(self, result: Compared, _elapsed: float) -> None:
        self.comparison.show_comparison(result)
        self.comparison.show()

    def isComplete(self) -> bool:
        return not self.jobs.is_busy()

    def cleanupPage(self) -> None:
        self.jobs.wait_stopped()
