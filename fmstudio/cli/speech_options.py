"""The decoding options every speech command shares (transcribe, watch, record)."""

from __future__ import annotations

import argparse

from fmstudio.cli.options import add_device_option, positive_int
from fmstudio.core.speech.requests import MAX_SPEAKERS, SpeechOptions


def speaker_count(text: str) -> int:
    """`auto` (0: find how many) or a number of speakers from 1 to 20."""
    if text.strip().lower() == "auto":
        return 0
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be auto or a number, not {text!r}") from None
    if not 1 <= value <= MAX_SPEAKERS:
        raise argparse.ArgumentTypeError(f"must be from 1 to {MAX_SPEAKERS}, not {value}")
    return value


def add_decoding_options(parser: argparse.ArgumentParser) -> None:
    """How speech is decoded: the options transcribe, watch and record share."""
    parser.add_argument("--language", help="language code such as en or de; default: detect")
    add_device_option(parser)
    parser.add_argument("--beam-size", type=positive_int, default=SpeechOptions.beam_size)
    parser.add_argument(
        "--vad", action="store_true", help="skip silence with the voice-activity filter"
    )
    parser.add_argument(
        "--word-timestamps",
        action="store_true",
        help="a time for every word, in json and vtt (speakers keep theirs anyway)",
    )
    parser.add_argument(
        "--speakers",
        type=speaker_count,
        metavar="auto|N",
        help="find who speaks when: auto finds how many, N asks for N (default: off)",
    )
    parser.add_argument(
        "--task",
        choices=("transcribe", "translate"),
        default="transcribe",
        help="translate writes English whatever is spoken (multilingual models only)",
    )


def speech_options(args: argparse.Namespace) -> SpeechOptions:
    return SpeechOptions(
        args.language, args.beam_size, args.vad, args.word_timestamps, args.speakers, args.task
    )
