"""argparse pieces every command shares, with defaults read from the task table."""

from __future__ import annotations

import argparse
from typing import Any

from fmstudio.core.devices import DEVICE_CHOICES
from fmstudio.core.modalities import Modality


class Parser(argparse.ArgumentParser):
    """Options are never abbreviated: a mistyped `--text` must be an error, not silently
    `--text-column`. Sub-command parsers are made of the same class."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("allow_abbrev", False)
        super().__init__(*args, **kwargs)


def positive_int(text: str) -> int:
    """argparse type for counts such as --top-k and --batch-size."""
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return value


def fraction(text: str) -> float:
    value = float(text)
    if not 0 <= value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 0 and below 1, not {value}")
    return value


def positive_float(text: str) -> float:
    value = float(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be above 0, not {value}")
    return value


def subcommands(
    sub: argparse._SubParsersAction[argparse.ArgumentParser],
    modality: Modality,
    help_text: str,
) -> argparse._SubParsersAction[argparse.ArgumentParser]:
    """`fmstudio <task> COMMAND`: the modality's own group of commands."""
    parser = sub.add_parser(modality.task, help=help_text)
    return parser.add_subparsers(dest=f"{modality.task}_command", metavar="COMMAND", required=True)


def add_model_option(parser: argparse.ArgumentParser, modality: Modality, what: str) -> None:
    parser.add_argument("--model", default="", help=f"{what} (default: {modality.default_model})")


def add_run_options(parser: argparse.ArgumentParser, modality: Modality) -> None:
    """--batch-size with the modality's default, and --device."""
    parser.add_argument(
        "--batch-size",
        type=positive_int,
        default=modality.default_batch,
        help=f"{modality.noun} per batch (default {modality.default_batch})",
    )
    add_device_option(parser)


def add_device_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--device", choices=DEVICE_CHOICES, default="auto", help="default: the fastest found"
    )


def add_classify_options(parser: argparse.ArgumentParser, modality: Modality, item: str) -> None:
    """The options every `... classify` command shares, in the same words."""
    parser.add_argument(
        "--top-k", type=positive_int, default=5, help=f"labels per {item} (default 5)"
    )
    add_run_options(parser, modality)
    parser.add_argument("--json", action="store_true", help="print one JSON list")
