"""Before a run trains: the mode, the device, where it saves, and what it resumes from."""

from __future__ import annotations

from collections.abc import Generator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

from fmstudio.core import loading
from fmstudio.core.data.report import R, ScanReport
from fmstudio.core.devices import resolve_device
from fmstudio.core.errors import FmError
from fmstudio.core.events import Event, Log
from fmstudio.core.library import check_replaceable, output_folder, staged_folder
from fmstudio.core.modalities import modality
from fmstudio.core.train import distributed
from fmstudio.core.train.checkpoints import Checkpoint, RunDir, RunInfo
from fmstudio.core.train.spec import TrainSpec, choose_mode


@dataclass(frozen=True)
class RunPlan:
    """A run with every choice made: `spec` has its mode, epochs, learning rate and base."""

    spec: TrainSpec
    device: str
    target: Path
    run_dir: RunDir
    checkpoint: Checkpoint | None

    @property
    def mode(self) -> str:
        return self.spec.mode

    @contextmanager
    def staged(self) -> Iterator[Path]:
        """The folder to fill with the model; leaving the block commits it: moved into place,
        the run's checkpoint dropped, and the tabs made to reload a model saved there before.
        A job may yield (score the saved model, say) inside the block; a stop there commits
        nothing and keeps the checkpoint, so the run can resume."""
        with staged_folder(self.target) as folder:
            yield folder
        self.run_dir.remove()
        loading.forget(self.target)


def split_as_asked(report: R, spec: TrainSpec) -> R:
    """The run's split, made here and nowhere else: the retrain's kept validation files if
    any, else the spec's fraction and seed (a dataset's own train/val folders stay)."""
    if spec.keep_validation:
        report = report.keep_validation(spec.keep_validation)
    return report.resplit(spec.val_split, spec.seed)


def plan_run(spec: TrainSpec, report: ScanReport, resume: bool) -> Generator[Event, None, RunPlan]:
    """Choose what `auto` leaves open and check a resume; says each choice as a log line."""
    if not report.ok:
        raise FmError("the dataset cannot be used:\n" + "\n".join(report.errors))
    for warning in report.warnings:
        yield Log(warning, "warning")
    device = distributed.local_device(resolve_device(spec.device))
    mode, why = choose_mode(spec, len(report.train), device)
    yield Log(why)
    base = spec.base or modality(spec.task).base_model
    spec = replace(spec.resolved(mode), base=base)
    target = output_folder(spec.output)
    check_replaceable(target)
    run_dir = RunDir(target)
    checkpoint = run_dir.checkpoint() if resume else None
    if resume and checkpoint is None:
        yield Log("no checkpoint to resume from; starting from the beginning", "warning")
    if checkpoint is not None:
        info = run_dir.info()
        if info.classes != report.classes or info.mode != mode:
            raise FmError(
                f"the checkpoint in {run_dir.path} was made with other classes or another "
                "mode; start again without --resume"
            )
    if distributed.current().main:
        run_dir.write_info(RunInfo(report.classes, mode, spec.to_json()))
    return RunPlan(spec, device, target, run_dir, checkpoint)
