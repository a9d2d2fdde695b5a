"""`fmstudio eval`: the wizard's evaluate-only mode, headless."""

from __future__ import annotations

import argparse
import json
import sys

from fmstudio.cli.options import add_run_options
from fmstudio.cli.progress import ProgressDisplay, drive
from fmstudio.core.modalities import TRAINABLE, modality
from fmstudio.core.requests import Evaluate


def _eval_speech(args: argparse.Namespace) -> int:
    from fmstudio.core.speech.evaluate import evaluate_speech

    request = Evaluate(args.task, args.model, args.data, args.batch_size, args.device)
    result = drive(evaluate_speech(request), ProgressDisplay(quiet=args.json))
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


def _eval(args: argparse.Namespace) -> int:
    from fmstudio.core.train.evaluate import evaluate_model

    if args.task == "speech":
        return _eval_speech(args)
    request = Evaluate(args.task, args.model, args.data, args.batch_size, args.device)
    result = drive(evaluate_model(request), ProgressDisplay(quiet=args.json))
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
        help="evaluate a classifier on a labelled folder, or a speech model on transcribed clips",
        description="Classify every example of DATA (its val/ or test/ folder when it has one) "
        "and report accuracy, macro-F1, per-class precision/recall/F1 and the confusion matrix. "
        "For speech, transcribe DATA's clips and report WER and CER against their transcripts "
        "(normalised as Whisper's evaluations do), with each clip's reference and hypothesis.",
    )
    evaluate.add_argument("task", choices=TRAINABLE)
    evaluate.add_argument("data", metavar="DATA")
    evaluate.add_argument(
        "--model",
        required=True,
        help="a library name or a model folder (speech: also whisper-tiny.en or a "
        "faster-whisper size name such as base.en)",
    )
    add_run_options(evaluate, modality("image"))
    evaluate.add_argument("--json", action="store_true", help="print the metrics as JSON")
    evaluate.set_defaults(func=_eval)
