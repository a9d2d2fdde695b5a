"""`fmstudio train` and `fmstudio eval`: the fine-tuning wizard's jobs, headless."""

from __future__ import annotations

import argparse
import json
import sys
from typing import IO

from fmstudio.cli.output import positive_int
from fmstudio.cli.progress import ProgressDisplay, drive
from fmstudio.core.devices import DEVICE_CHOICES
from fmstudio.core.events import Event
from fmstudio.core.train.spec import MODES, TASKS, EpochMetrics, TrainSpec


def _fraction(text: str) -> float:
    value = float(text)
    if not 0 <= value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 0 and below 1, not {value}")
    return value


def _positive_float(text: str) -> float:
    value = float(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be above 0, not {value}")
    return value


class TrainDisplay(ProgressDisplay):
    """The progress bar, plus one line per epoch (JSON lines carry every event)."""

    def __call__(self, event: Event) -> None:
        if isinstance(event, EpochMetrics) and not self.json_lines:
            if event.phase == "warm-up" and event.epoch < event.epochs:
                return
            self._clear()
            val = (
                f", val loss {event.val_loss:.4f}, val acc {event.val_accuracy:.1%}"
                if event.val_loss is not None and event.val_accuracy is not None
                else ""
            )
            best = "  *best" if event.best else ""
            print(
                f"{event.phase} epoch {event.epoch}/{event.epochs}: loss {event.train_loss:.4f}, "
                f"acc {event.train_accuracy:.1%}{val} ({event.seconds:.1f} s){best}",
                file=self.stream,
                flush=True,
            )
            return
        super().__call__(event)


def _train(args: argparse.Namespace) -> int:
    from fmstudio.core.train.job import fine_tune

    spec = TrainSpec(
        task=args.task,
        data=args.data,
        output=args.output,
        base=args.base,
        mode=args.mode,
        epochs=args.epochs,
        batch_size=args.batch_size,
        lr=args.lr,
        val_split=args.val_split,
        seed=args.seed,
        device=args.device,
        augment=not args.no_augment,
        early_stopping=args.early_stopping,
        text_column=args.text_column,
        label_column=args.label_column,
    )
    display = TrainDisplay(sys.stdout if args.json_progress else None, args.json_progress)
    try:
        result = drive(fine_tune(spec, resume=args.resume), display)
    except KeyboardInterrupt:
        from fmstudio.core.library import output_folder, run_folder

        if (run_folder(output_folder(args.output)) / "checkpoint.pt").is_file():
            print("the last finished epoch is kept: add --resume to continue", file=sys.stderr)
        raise
    out: IO[str] = sys.stderr if args.json_progress else sys.stdout
    summary = {"event": "saved", "folder": str(result.folder)}
    if result.evaluation is not None:
        summary |= {
            "accuracy": result.evaluation.accuracy,
            "macro_f1": result.evaluation.macro_f1,
        }
    if args.json_progress:
        print(json.dumps(summary), flush=True)
    else:
        print(f"saved {result.folder}", file=out)
    return 0


def _eval(args: argparse.Namespace) -> int:
    from fmstudio.core.train.evaluate import evaluate_model

    job = evaluate_model(args.task, args.model, args.data, args.batch_size, args.device)
    result = drive(job, ProgressDisplay(quiet=args.json))
    ev = result.evaluation
    if args.json:
        print(json.dumps(ev.to_json(), indent=2))
        return 0
    print(f"accuracy {ev.accuracy:.1%}   macro-F1 {ev.macro_f1:.3f}   n {ev.n}")
    width = max(5, *(len(label) for label in ev.labels))
    print(f"{'class':<{width}}  precision  recall     f1  support")
    for label, m in ev.per_class().items():
        print(
            f"{label:<{width}}  {m['precision']:9.3f}  {m['recall']:6.3f}  {m['f1']:5.3f}  "
            f"{m['support']:7d}"
        )
    for path, reason in result.skipped:
        print(f"skipped {path}: {reason}", file=sys.stderr)
    return 0


def add_commands(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    train = sub.add_parser(
        "train",
        help="fine-tune an image or text classifier on a folder (one sub-folder per class)",
        description="Fine-tune a classifier. DATA is a folder with one sub-folder per class "
        "(or train/ and val/ folders of those); for text also a CSV/TSV/JSONL file with text "
        "and label columns. The model is saved atomically into --output.",
    )
    train.add_argument("task", choices=TASKS)
    train.add_argument("data", metavar="DATA")
    train.add_argument(
        "--output", required=True, metavar="DIR", help="a library name or a folder path"
    )
    train.add_argument("--base", metavar="M", help="base model (default: the bundled one)")
    train.add_argument("--mode", choices=MODES, default="auto")
    train.add_argument("--epochs", type=positive_int, help="default: 60 (head) or 8 (full)")
    train.add_argument("--batch-size", type=positive_int, default=16)
    train.add_argument("--lr", type=_positive_float, help="learning rate (default per mode)")
    train.add_argument("--val-split", type=_fraction, default=0.2)
    train.add_argument("--seed", type=int, default=0)
    train.add_argument("--device", choices=DEVICE_CHOICES, default="auto")
    train.add_argument(
        "--early-stopping",
        type=int,
        metavar="N",
        help="stop after N epochs without improvement (0: never; default 10 head, 3 full)",
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
    train.set_defaults(func=_train)

    ev = sub.add_parser(
        "eval",
        help="evaluate a classifier on a labelled folder",
        description="Classify every example of DATA (its val/ or test/ folder when it has one) "
        "and report accuracy, macro-F1, per-class precision/recall/F1 and the confusion matrix.",
    )
    ev.add_argument("task", choices=TASKS)
    ev.add_argument("data", metavar="DATA")
    ev.add_argument("--model", required=True, help="a library name or a model folder")
    ev.add_argument("--batch-size", type=positive_int, default=16)
    ev.add_argument("--device", choices=DEVICE_CHOICES, default="auto")
    ev.add_argument("--json", action="store_true", help="print the metrics as JSON")
    ev.set_defaults(func=_eval)
