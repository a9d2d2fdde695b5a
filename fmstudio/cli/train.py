"""`fmstudio train`: the fine-tuning wizard's job, headless."""

from __future__ import annotations

import argparse
import json
import signal
import sys
from dataclasses import replace
from pathlib import Path

from fmstudio.cli.options import add_device_option, fraction, positive_float, positive_int
from fmstudio.cli.progress import ProgressDisplay, drive
from fmstudio.core.data.split import VAL_SPLIT
from fmstudio.core.errors import Cancelled, FmError
from fmstudio.core.events import CancelToken, Event
from fmstudio.core.modalities import import_target, modality, trainable_tasks
from fmstudio.core.train.events import WARM_UP, EpochMetrics
from fmstudio.core.train.spec import (
    MODES,
    TrainSpec,
    default_batch,
    defaults_help,
)


class TrainDisplay(ProgressDisplay):
    """The progress bar, plus one line per epoch (JSON lines carry every event)."""

    def __call__(self, event: Event) -> None:
        if isinstance(event, EpochMetrics) and not self.json_lines:
            if event.phase == WARM_UP and event.epoch < event.epochs:
                return
            self._clear()
            print(event.summary(), file=self.stream, flush=True)
            return
        super().__call__(event)


def _spec(args: argparse.Namespace) -> TrainSpec:
    """The run's spec: from a job folder (checked against its manifest), or the options."""

    if args.job:
        spec = _job_spec(args.job)
        spec = replace(spec, output=args.output) if args.output else spec
        return replace(spec, device=args.device) if args.device != "auto" else spec
    if not args.task or not args.data or not args.output:
        raise FmError("fmstudio train needs TASK, DATA and --output (or --job DIR)")
    try:
        return _make_spec(args)
    except ValueError as exc:
        raise FmError(str(exc)) from exc


def _job_spec(folder: str) -> TrainSpec:
    """Rank 0 checks the manifest (reading every file once); the others take its answer."""
    from fmstudio.core.train import distributed
    from fmstudio.core.train.job_folder import load_job

    return distributed.on_main(lambda: load_job(Path(folder)))


def _make_spec(args: argparse.Namespace) -> TrainSpec:
    return TrainSpec(
        task=args.task,
        data=args.data,
        output=args.output,
        base=args.base,
        mode=args.mode,
        epochs=args.epochs,
        batch_size=args.batch_size or default_batch(args.task),
        lr=args.lr,
        val_split=args.val_split,
        seed=args.seed,
        device=args.device,
        augment=not args.no_augment,
        early_stopping=args.early_stopping,
        text_column=args.text_column,
        label_column=args.label_column,
    )


class Silent(ProgressDisplay):
    """What the other processes of a torchrun job show: nothing (rank 0 speaks for all)."""

    def __call__(self, event: Event) -> None:
        return None


def _train(args: argparse.Namespace) -> int:
    """One process, or one of torchrun's: then it joins the group first and leaves it last."""
    from fmstudio.core.train import distributed

    if not distributed.launched():
        return _run(args)
    from fmstudio.core.devices import resolve_device

    distributed.start(resolve_device(args.device))
    try:
        return _run(args)
    finally:
        distributed.stop()


def _run(args: argparse.Namespace) -> int:
    from fmstudio.core.library import output_folder
    from fmstudio.core.train import distributed
    from fmstudio.core.train.checkpoints import RunDir

    main = distributed.current().main
    display: ProgressDisplay = (
        TrainDisplay(sys.stdout if args.json_progress else None, args.json_progress)
        if main
        else Silent()
    )
    spec = _spec(args)
    if args.export_job:
        return _export_job(spec, args, display)
    fine_tune = import_target(modality(spec.task).train)
    cancel = CancelToken()
    signal.signal(signal.SIGTERM, lambda _signum, _frame: cancel.cancel())  # a scheduler's stop
    signal.siginterrupt(signal.SIGTERM, False)  # a collective step waiting in C++ goes on
    try:
        result = drive(fine_tune(spec, resume=args.resume, cancel=cancel), display)
    except (KeyboardInterrupt, Cancelled):
        if main and RunDir(output_folder(spec.output)).has_checkpoint():
            print("the last finished epoch is kept: add --resume to continue", file=sys.stderr)
        raise
    summary: dict[str, object] = {"event": "saved", "folder": str(result.folder)}
    summary |= result.metrics()
    if not main:
        return 0
    if args.json_progress:
        print(json.dumps(summary), flush=True)
    else:
        print(f"saved {result.folder}")
    return 0


def _export_job(spec: TrainSpec, args: argparse.Namespace, display: ProgressDisplay) -> int:
    from fmstudio.core.train.job_folder import export_job

    folder = drive(export_job(spec, Path(args.export_job), not args.reference_data), display)
    print(f"wrote {folder}: run it with {folder}/run-torchrun.sh or sbatch run-slurm.sbatch")
    return 0


def _add_job_options(train: argparse.ArgumentParser) -> None:
    """Job folders: train elsewhere (torchrun, Slurm) what was set up here."""
    train.add_argument(
        "--export-job",
        metavar="DIR",
        help="write a job folder (spec, data and manifest, torchrun and Slurm scripts) "
        "instead of training",
    )
    train.add_argument(
        "--reference-data",
        action="store_true",
        help="with --export-job: list the data's hashes but do not copy it",
    )
    train.add_argument(
        "--job", metavar="DIR", help="run a job folder (its data is checked against the manifest)"
    )


def add_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    train = sub.add_parser(
        "train",
        help="fine-tune an image or text classifier, or a speech model, on a folder",
        description="Fine-tune a model. For image and text, DATA is a folder with one "
        "sub-folder per class (or train/ and val/ folders of those); for text also a "
        "CSV/TSV/JSONL file with text and label columns. For speech, DATA is a folder of audio "
        "clips with transcripts: an audiofolder metadata.csv (file_name, transcription), a .txt "
        "beside each clip, or a CSV/TSV with path and text columns (Common Voice). The model "
        "is saved atomically into --output.",
    )
    train.add_argument("task", choices=trainable_tasks(), nargs="?")
    train.add_argument("data", metavar="DATA", nargs="?")
    train.add_argument(
        "--output",
        metavar="DIR",
        help="a library name or a folder path (with --job: default the job's models/ folder)",
    )
    train.add_argument("--base", metavar="M", help="base model (default: the bundled one)")
    train.add_argument("--mode", choices=MODES, default="auto")
    train.add_argument(
        "--epochs",
        type=positive_int,
        help=f"default per task and mode: {defaults_help('epochs')}",
    )
    train.add_argument(
        "--batch-size",
        type=positive_int,
        help="default per task: "
        + "; ".join(f"{task} {default_batch(task)}" for task in trainable_tasks()),
    )
    train.add_argument("--lr", type=positive_float, help="learning rate (default per mode)")
    train.add_argument("--val-split", type=fraction, default=VAL_SPLIT)
    train.add_argument("--seed", type=int, default=0)
    add_device_option(train)
    train.add_argument(
        "--early-stopping",
        type=int,
        metavar="N",
        help="stop after N epochs without improvement (0: never; default "
        f"{defaults_help('patience')})",
    )
    train.add_argument("--no-augment", action="store_true", help="no image augmentation")
    train.add_argument("--text-column", help="CSV/JSONL text column (default: guessed)")
    train.add_argument("--label-column", default="label", help="CSV/JSONL label column")
    train.add_argument(
        "--resume", action="store_true", help="continue a stopped run from its last checkpoint"
    )
    train.add_argument(
        "--json-progress", action="store_true", help="print one JSON event per line on stdout"
    )
    _add_job_options(train)
    train.set_defaults(func=_train)
