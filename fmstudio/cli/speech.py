"""`fmstudio speech transcribe` and `watch`: the Speech tab's file jobs, headless."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from fmstudio.cli import speakers as speakers_cli
from fmstudio.cli.options import add_model_option, subcommands
from fmstudio.cli.output import EXIT_OK, EXIT_SOME_FAILED
from fmstudio.cli.progress import ProgressDisplay, drive
from fmstudio.cli.speech_options import add_decoding_options, speech_options
from fmstudio.cli.speech_record import add_record_command
from fmstudio.core.events import Event, Log
from fmstudio.core.modalities import SPEECH
from fmstudio.core.speech.events import FileDone
from fmstudio.core.speech.requests import Transcribe, WatchFolder
from fmstudio.core.speech.transcripts import Transcript
from fmstudio.core.speech.writers import FORMATS
from fmstudio.core.wording import plural


class _WriteEach:
    """With --output-dir, writes each transcript as soon as its file is done: over a long
    batch, a crash or a Ctrl-C keeps every file done before it."""

    def __init__(self, display: ProgressDisplay, fmt: str, out_dir: str) -> None:
        from fmstudio.core.speech.writers import FolderWriter

        self.display = display
        self.writer = FolderWriter(fmt, Path(out_dir))

    def __call__(self, event: Event) -> None:
        if isinstance(event, FileDone) and event.transcript.ok:
            self.display(Log(f"wrote {self.writer.write(event.transcript)}"))


def _transcribe(args: argparse.Namespace) -> int:
    from fmstudio.core.speech.transcribe import transcribe_files

    request = Transcribe(tuple(args.paths), args.model, speech_options(args), args.device)
    display = ProgressDisplay()
    write = _WriteEach(display, args.format, args.output_dir) if args.output_dir else None
    results = drive(transcribe_files(request), display, write)
    for t in results:
        if not t.ok:
            print(f"error: {t.path}: {t.error}", file=sys.stderr)
    good = [t for t in results if t.ok]
    if not args.output_dir:  # there, each file was written as it finished
        _print(results, args.format)
    return EXIT_SOME_FAILED if len(good) < len(results) else EXIT_OK


def _print(results: list[Transcript], fmt: str) -> None:
    from fmstudio.core.speech import writers

    if fmt == "json":  # one list with every file, as `classify --json` prints
        print(json.dumps([t.to_json() for t in results], indent=2, ensure_ascii=False))
        return
    for t in results:
        if t.ok:
            if len(results) > 1:
                print(f"==> {t.path} <==")
            sys.stdout.write(writers.render(t, fmt))


def _watch(args: argparse.Namespace) -> int:
    from fmstudio.core.speech.watch import watch_folder

    request = WatchFolder(
        args.folder,
        args.output_dir,
        tuple(dict.fromkeys(args.format)),
        args.model,
        speech_options(args),
        args.device,
        once=args.once,
    )
    count = drive(watch_folder(request), ProgressDisplay())
    print(f"transcribed {plural(count, 'file')}")
    return EXIT_OK


def add_watch_command(group: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    watch = group.add_parser(
        "watch",
        help="transcribe every new audio or video file in a folder, once, until Ctrl-C",
        description="Watch DIR (and its sub-folders): each new recording is transcribed once, "
        "when it is no longer being written, into each --format beside it or under "
        "--output-dir. What was done is remembered: started again, the watch skips it, "
        "and a file that failed is tried again only when it changes.",
    )
    watch.add_argument("folder", metavar="DIR")
    add_model_option(watch, SPEECH, "bundled name, a faster-whisper size or a folder")
    watch.add_argument(
        "--format", nargs="+", choices=FORMATS, default=["srt"], help="one or more (default srt)"
    )
    watch.add_argument("--output-dir", help="write the transcripts here (sub-folders kept)")
    watch.add_argument("--once", action="store_true", help="stop when every file there now is done")
    add_decoding_options(watch)
    watch.set_defaults(func=_watch)


def add_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    group = subcommands(sub, SPEECH, "speech transcription")
    transcribe = group.add_parser(
        "transcribe",
        help="transcribe audio files (wav, flac, ogg, mp3, m4a, webm; folders recurse)",
        description="Transcribe audio with Whisper. Exit status 0 when every file was "
        "transcribed, 2 when any failed (after the rest were done).",
    )
    transcribe.add_argument("paths", nargs="+", metavar="PATH")
    add_model_option(transcribe, SPEECH, "bundled name, a faster-whisper size or a folder")
    transcribe.add_argument("--format", choices=FORMATS, default="txt")
    transcribe.add_argument(
        "--output-dir",
        help="write <stem>.<format> here as each file finishes, instead of printing",
    )
    add_decoding_options(transcribe)
    transcribe.set_defaults(func=_transcribe)
    add_watch_command(group)
    add_record_command(group)
    speakers_cli.add_commands(sub)
