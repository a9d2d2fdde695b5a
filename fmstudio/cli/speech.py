"""`fmstudio speech transcribe`: the Speech tab's file job, headless."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from fmstudio.cli.output import EXIT_OK, EXIT_SOME_FAILED, positive_int
from fmstudio.cli.progress import ProgressDisplay, drive
from fmstudio.core.devices import DEVICE_CHOICES


def _transcribe(args: argparse.Namespace) -> int:
    from fmstudio.core.speech import writers
    from fmstudio.core.speech.transcribe import Options, transcribe_files

    options = Options(args.language, args.beam_size, args.vad, args.word_timestamps)
    job = transcribe_files(args.paths, args.model, options, args.device)
    results = drive(job, ProgressDisplay())
    for t in results:
        if not t.ok:
            print(f"error: {t.path}: {t.error}", file=sys.stderr)
    good = [t for t in results if t.ok]
    if args.output_dir:
        for t in good:
            print(f"wrote {writers.write(t, args.format, Path(args.output_dir))}", file=sys.stderr)
    elif args.format == "json":
        data = [t.to_json() for t in good]
        print(
            json.dumps(
                data[0] if len(args.paths) == 1 and len(data) == 1 else data,
                indent=2,
                ensure_ascii=False,
            )
        )
    else:
        for t in good:
            if len(results) > 1:
                print(f"==> {t.path} <==")
            sys.stdout.write(writers.render(t, args.format))
    return EXIT_SOME_FAILED if len(good) < len(results) else EXIT_OK


def add_commands(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    speech = sub.add_parser("speech", help="speech transcription")
    speech_sub = speech.add_subparsers(dest="speech_command", metavar="COMMAND", required=True)
    tr = speech_sub.add_parser(
        "transcribe",
        help="transcribe audio files (wav, flac, ogg, mp3, m4a, webm; folders recurse)",
        description="Transcribe audio with Whisper. Exit status 0 when every file was "
        "transcribed, 2 when any failed (after the rest were done).",
    )
    tr.add_argument("paths", nargs="+", metavar="PATH")
    tr.add_argument(
        "--model", help="bundled whisper-tiny.en (default), a faster-whisper size or a folder"
    )
    tr.add_argument("--language", help="language code such as en or de; default: detect")
    tr.add_argument("--format", choices=("txt", "srt", "vtt", "json"), default="txt")
    tr.add_argument("--output-dir", help="write <stem>.<format> per file here instead of printing")
    tr.add_argument("--device", choices=DEVICE_CHOICES, default="auto")
    tr.add_argument("--beam-size", type=positive_int, default=5)
    tr.add_argument(
        "--vad", action="store_true", help="skip silence with the voice-activity filter"
    )
    tr.add_argument("--word-timestamps", action="store_true")
    tr.set_defaults(func=_transcribe)
