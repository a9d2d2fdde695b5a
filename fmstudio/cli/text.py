"""`fmstudio text classify`: the Text tab's job, headless."""

from __future__ import annotations

import argparse

from fmstudio.cli.output import add_classify_options, run_classify


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
    add_classify_options(classify, "document", 32)
    classify.set_defaults(func=_classify)
