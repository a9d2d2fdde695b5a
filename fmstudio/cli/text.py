"""`fmstudio text classify`: the Text tab's job, headless."""

from __future__ import annotations

import argparse

from fmstudio.cli.options import add_classify_options, subcommands
from fmstudio.cli.output import run_classify
from fmstudio.cli.sort import add_sort_options, check_sort_options
from fmstudio.core.modalities import TEXT
from fmstudio.core.requests import ClassifyTexts
from fmstudio.core.text import DEFAULT_TEMPLATE, parse_labels


def _classify(args: argparse.Namespace) -> int:
    check_sort_options(args)
    from fmstudio.core.text.classify import classify_texts

    request = ClassifyTexts(
        paths=tuple(args.paths),
        labels=tuple(parse_labels(args.labels or "")),
        model=args.model or "",
        template=DEFAULT_TEMPLATE if args.template is None else (args.template or None),
        top_k=args.top_k,
        batch_size=args.batch_size,
        device=args.device,
        text_column=args.text_column,
    )
    return run_classify(classify_texts(request), args)


def add_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    classify = subcommands(sub, TEXT, "text classification").add_parser(
        "classify",
        help="classify text files (folders recurse; CSV/TSV/JSONL give one document per row)",
        description="Classify documents zero-shot with --labels, or with a fine-tuned --model. "
        "Exit status 0 when every document was classified, 2 when any failed.",
    )
    classify.add_argument("paths", nargs="+", metavar="PATH", help="text files or folders")
    how = classify.add_mutually_exclusive_group(required=True)
    how.add_argument(
        "--labels", help=f'zero-shot labels with {TEXT.default_model}, e.g. "sports, politics"'
    )
    how.add_argument("--model", help="a fine-tuned model: library name, folder or Hugging Face id")
    classify.add_argument(
        "--template",
        help=f'sentence for each label, with {{label}} (default "{DEFAULT_TEMPLATE}"; '
        '"" for bare labels)',
    )
    classify.add_argument(
        "--text-column", help="CSV/TSV/JSONL column holding the text (default: guessed)"
    )
    add_classify_options(classify, TEXT, "document")
    add_sort_options(classify, "document")
    classify.set_defaults(func=_classify)
