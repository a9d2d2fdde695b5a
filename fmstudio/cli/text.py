"""`fmstudio text classify`: the Text tab's job, headless."""

from __future__ import annotations

import argparse

from fmstudio.cli.output import positive_int, run_classify
from fmstudio.core.devices import DEVICE_CHOICES


def _classify(args: argparse.Namespace) -> int:
    from fmstudio.core.text.classify import DEFAULT_TEMPLATE, classify_texts

    template = DEFAULT_TEMPLATE if args.template is None else (args.template or None)
    job = classify_texts(
        args.paths,
        labels=args.labels,
        model=args.model,
        template=template,
        top_k=args.top_k,
        batch_size=args.batch_size,
        device=args.device,
        text_column=args.text_column,
    )
    return run_classify(job, args.json)


def add_commands(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    text = sub.add_parser("text", help="text classification")
    text_sub = text.add_subparsers(dest="text_command", metavar="COMMAND", required=True)
    classify = text_sub.add_parser(
        "classify",
        help="classify text files (folders recurse; CSV/TSV/JSONL give one document per row)",
        description="Classify documents zero-shot with --labels, or with a fine-tuned --model. "
        "Exit status 0 when every document was classified, 2 when any failed.",
    )
    classify.add_argument("paths", nargs="+", metavar="PATH", help="text files or folders")
    how = classify.add_mutually_exclusive_group(required=True)
    how.add_argument("--labels", help='zero-shot labels, e.g. "sports, politics, cooking"')
    how.add_argument("--model", help="a fine-tuned model: library name, folder or Hugging Face id")
    classify.add_argument(
        "--template",
        help='sentence for each label, with {label} (default "This text is about {label}."; '
        '"" for bare labels)',
    )
    classify.add_argument(
        "--text-column", help="CSV/TSV/JSONL column holding the text (default: guessed)"
    )
    classify.add_argument(
        "--top-k", type=positive_int, default=5, help="labels per document (default 5)"
    )
    classify.add_argument(
        "--batch-size", type=positive_int, default=32, help="texts per batch (default 32)"
    )
    classify.add_argument("--device", choices=DEVICE_CHOICES, default="auto")
    classify.add_argument("--json", action="store_true", help="print one JSON list")
    classify.set_defaults(func=_classify)
