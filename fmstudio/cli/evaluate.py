"""`fmstudio eval`: the wizard's evaluate-only mode, headless."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from fmstudio.cli.options import add_device_option, positive_int
from fmstudio.cli.progress import ProgressDisplay, drive
from fmstudio.core.modalities import import_target, modality, trainable_tasks
from fmstudio.core.requests import Evaluate

if TYPE_CHECKING:
    from fmstudio.core.classify.evaluate import EvalResult
    from fmstudio.core.speech.evaluate import SpeechEvaluation


def _eval(args: argparse.Namespace) -> int:
    """Run the task's evaluate job, then print its result as the task's family does."""
    row = modality(args.task)
    request = Evaluate(args.task, args.model, args.data, args.batch_size, args.device)
    result = drive(import_target(row.evaluate)(request), ProgressDisplay(quiet=args.json))
    report: Callable[[Any, argparse.Namespace], int] = import_target(row.family.report_evaluation)
    return report(result, args)


def report_transcriber(result: SpeechEvaluation, args: argparse.Namespace) -> int:
    """WER and CER, then every clip with a mistake, worst first."""
    scores = result.scores
    if args.json:
        print(json.dumps(scores.to_json(), indent=2, ensure_ascii=False))
    else:
        print(
            f"WER {scores.wer:.1%}   CER {scores.cer:.1%}   clips {scores.n}   words "
            f"{scores.words}   model {result.model}"
        )
        for clip in sorted(scores.clips, key=lambda c: -c.wer):
            if clip.wer > 0:
                print(
                    f"{clip.wer:6.1%}  {clip.path}\n        ref: {clip.reference}\n"
                    f"        hyp: {clip.hypothesis}"
                )
    for path, reason in result.skipped:
        print(f"skipped {path}: {reason}", file=sys.stderr)
    return 0


def report_classifier(result: EvalResult, args: argparse.Namespace) -> int:
    """Accuracy and macro-F1, then precision, recall and F1 of each class."""
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


def add_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    evaluate = sub.add_parser(
        "eval",
        help="evaluate a classifier on a labelled folder, a speech model on transcribed clips "
        "or a detector on images with boxes",
        description="Classify every example of DATA (its val/ or test/ folder when it has one) "
        "and report accuracy, macro-F1, per-class precision/recall/F1 and the confusion matrix. "
        "For speech, transcribe DATA's clips and report WER and CER against their transcripts "
        "(normalised as Whisper's evaluations do), with each clip's reference and hypothesis. "
        "For detect, find the objects in DATA's images (its val/ or test/ images when it has "
        "them) and report mAP@0.5:0.95 and mAP@0.5 (pycocotools), AP per class, precision and "
        "recall at score 0.3 and the images with the most misses and false boxes.",
    )
    # evaluation reads DATA with the task's training scan: the tasks that train
    evaluate.add_argument("task", choices=trainable_tasks())
    evaluate.add_argument("data", metavar="DATA")
    evaluate.add_argument(
        "--model",
        required=True,
        help="a library name or a model folder (speech: also whisper-tiny.en or a "
        "faster-whisper size name such as base.en; detect: also centernet-coco)",
    )
    evaluate.add_argument(
        "--batch-size",
        type=positive_int,
        help="inputs per batch (default: the task's, "
        + ", ".join(f"{t} {modality(t).default_batch}" for t in trainable_tasks())
        + ")",
    )
    add_device_option(evaluate)
    evaluate.add_argument("--json", action="store_true", help="print the metrics as JSON")
    evaluate.set_defaults(func=_eval)
