"""`fmstudio text classify`: the Text tab's job, headless."""

from __future__ import annotations

import argparse

from fmstudio.cli.options import add_classify_options, subcommands
from fmstudio.cli.output import run_classify
from fmstudio.cli.sort import add_sort_options, check_sort_options
from fmstudio.core import catalog
from fmstudio.core.errors import FmError
from fmstudio.core.modalities import TEXT
from fmstudio.core.text import DEFAULT_TEMPLATE, MULTILINGUAL, parse_labels
from fmstudio.core.text.requests import ClassifyTexts


def _check_model_and_labels(args: argparse.Namespace) -> None:
    """Labels go with a zero-shot model (the default one when none is named); a fine-tuned
    model has classes of its own."""
    model = args.model or TEXT.default_model
    if catalog.is_zero_shot(model, "text") and not args.labels:
        raise FmError(f'{model} is zero-shot: give --labels, e.g. --labels "sports, politics"')
    if args.labels and not catalog.is_zero_shot(model, "text"):
        raise FmError(f"{model} has classes of its own: leave out --labels")


def _classify(args: argparse.Namespace) -> int:
    check_sort_options(args)
    _check_model_and_labels(args)
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
    classify.add_argument(
        "--labels",
        help=f'zero-shot labels, e.g. "sports, politics": {TEXT.default_model} for English, '
        f"{MULTILINGUAL} (picked by itself) for other languages",
    )
    classify.add_argument(
        "--model",
        help="a fine-tuned model (library name, folder or Hugging Face id), or a zero-shot "
        "one with --labels",
    )
    classify.add_argument(
        "--template",
        help=f'sentence for each label, with {{label}} (default "{DEFAULT_TEMPLATE}"; '
        '"" for bare labels)',
    )
    classify.add_argument(
        "--text-column", help="CSV/TSV/JSONL column holding the text (default: guessed)"
    )
    add_classify_options(classify, TEXT, "document")
    add_sort_options(classify, "document", "text")
    classify.set_defaults(func=_classify)
