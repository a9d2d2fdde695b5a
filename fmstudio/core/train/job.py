"""One fine-tune job for every family: scan → plan → measure the base → load → train → measure
→ save, with the model card, into the library.

A family brings its steps as a `Recipe` (the classifiers' is in `core/classify/train_job.py`,
the transcribers' in `core/speech/train_job.py`); this driver owns what every run does the
same way: the order, the split, the plan, the seed, the one progress bar, staging the save
(so measuring the saved model shows progress and Stop ends it, saving nothing) and the lines
a run says at its start and end.
"""

from __future__ import annotations

import time
from collections.abc import Generator
from pathlib import Path
from typing import Any, Protocol, TypeVar

import torch

from fmstudio.core.data.report import ScanReport
from fmstudio.core.events import Activity, CancelToken, Event, Log, PauseGate, Progress, phase
from fmstudio.core.library import model_card, shown_as, write_card
from fmstudio.core.train import distributed
from fmstudio.core.train.finetuner import Finetuner, load_finetuner
from fmstudio.core.train.loop import FitResult
from fmstudio.core.train.plan import RunPlan, plan_run, split_as_asked
from fmstudio.core.train.spec import TrainSpec

R = TypeVar("R", bound=ScanReport)
T_co = TypeVar("T_co", covariant=True)


class Recipe(Protocol[R, T_co]):
    """A family's steps. One recipe object serves one run: a step may keep what a later one
    needs (the classifier keeps the examples it read; speech keeps the WER before)."""

    base_end: float
    """Where measuring the base model ends on the progress bar (0: the family does not)."""
    train_end: float
    """Where training ends; measuring the saved model fills the rest."""
    saving: str
    """What saving does beyond writing the weights, said while it runs (may be empty)."""

    def scan(self, spec: TrainSpec) -> R:
        """Read the dataset folder into a report (rank 0 alone, under torchrun)."""
        ...

    def measure_base(
        self, plan: RunPlan, report: R, cancel: CancelToken
    ) -> Generator[Event, None, None]:
        """Score the base model on the held-out examples (rank 0, a fresh run only)."""
        ...

    def train(
        self, finetuner: Finetuner, plan: RunPlan, report: R, cancel: CancelToken, pause: PauseGate
    ) -> Generator[Event, None, FitResult]: ...

    def measure(self, plan: RunPlan, report: R, fitted: FitResult) -> Generator[Event, None, None]:
        """Score what training predicted on the held-out examples (every rank)."""
        ...

    def measure_saved(
        self, folder: Path, plan: RunPlan, report: R, cancel: CancelToken
    ) -> Generator[Event, None, None]:
        """Score the model as saved in `folder`, before it is moved into place (rank 0)."""
        ...

    def card(self, report: R) -> tuple[dict[str, Any], dict[str, Any]]:
        """The card's metrics, and what the family adds to it."""
        ...

    def result(self, plan: RunPlan, report: R, fitted: FitResult, seconds: float) -> T_co: ...


def _scan(recipe: Recipe[R, Any], spec: TrainSpec) -> Generator[Event, None, R]:
    if distributed.current().main:
        yield Activity(f"Scanning {spec.data}…")
    return distributed.on_main(lambda: recipe.scan(spec))


def _save(
    recipe: Recipe[R, Any],
    finetuner: Finetuner,
    plan: RunPlan,
    report: R,
    fitted: FitResult,
    cancel: CancelToken,
) -> Generator[Event, None, None]:
    """Write the model into a staged folder, measure it there, write its card, and only then
    move it into place. Under torchrun rank 0 saves and the others wait."""
    yield Activity(f"Saving {shown_as(plan.target)}{recipe.saving}…")
    if distributed.current().main:
        with plan.staged() as folder:
            finetuner.save(folder)
            yield from phase(
                recipe.measure_saved(folder, plan, report, cancel), recipe.train_end, 1.0
            )
            write_card(folder, _card(recipe, plan, report, fitted))
    distributed.barrier()


def _card(recipe: Recipe[R, Any], plan: RunPlan, report: R, fitted: FitResult) -> dict[str, Any]:
    spec = plan.spec
    assert spec.base is not None
    metrics, extra = recipe.card(report)
    return model_card(
        task=spec.task,
        base_model=spec.base,
        classes=report.classes,
        report=report,
        metrics=metrics,
        hyperparameters=spec.to_json(),
        history=[h.to_json() for h in fitted.history],
        extra={"mode": plan.mode, "device": plan.device, "best_epoch": fitted.best_epoch, **extra},
    )


def run(
    recipe: Recipe[R, T_co],
    spec: TrainSpec,
    *,
    report: R | None = None,
    cancel: CancelToken | None = None,
    pause: PauseGate | None = None,
    resume: bool = False,
) -> Generator[Event, None, T_co]:
    """Fine-tune `spec.base` on `spec.data` (or on `report`, already scanned) the family's way
    and save it; `resume` continues a stopped run from its checkpoint."""
    cancel, pause = cancel or CancelToken(), pause or PauseGate()
    started = time.monotonic()
    if report is None:
        report = yield from _scan(recipe, spec)
    for skipped in report.skipped:
        yield Log(f"skipped {skipped.path}: {skipped.reason}", "warning")
    report = split_as_asked(report, spec)
    if report.ok and distributed.current().main:
        yield Log(report.summary().splitlines()[0])  # the data-health counts (the CLI's too)
    plan = yield from plan_run(spec, report, resume)
    base = plan.spec.base
    assert base is not None
    if report.val and plan.checkpoint is None and distributed.current().main:
        yield from phase(recipe.measure_base(plan, report, cancel), 0.0, recipe.base_end)
    yield Activity(f"Loading {base} for training on {plan.device}…")
    torch.manual_seed(spec.seed)
    finetuner = load_finetuner(spec.task, base, report.classes, plan.device, plan.mode)
    job = recipe.train(finetuner, plan, report, cancel, pause)
    fitted = yield from phase(job, recipe.base_end, recipe.train_end)
    yield from recipe.measure(plan, report, fitted)
    cancel.raise_if_cancelled()
    yield from _save(recipe, finetuner, plan, report, fitted, cancel)
    seconds = time.monotonic() - started
    yield Progress(1.0, "saved", eta_s=0.0)
    yield Log(f"Saved {shown_as(plan.target)} in {seconds:.0f} s")
    return recipe.result(plan, report, fitted, seconds)
