"""`fmstudio speech record`: the Speech tab's Record, headless: a microphone, the computer's
sound, or both, saved as a WAV and transcribed when it stops."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from types import FrameType

from fmstudio.cli.options import add_model_option, positive_int
from fmstudio.cli.output import EXIT_OK
from fmstudio.cli.progress import ProgressDisplay, drive
from fmstudio.cli.speech_options import add_decoding_options, speech_options
from fmstudio.core.data.inputs import InputId, probe_inputs
from fmstudio.core.errors import FmError
from fmstudio.core.events import run_to_end
from fmstudio.core.modalities import SPEECH
from fmstudio.core.speech.writers import FORMATS


def _inputs() -> list[tuple[InputId, str]]:
    inputs = run_to_end(probe_inputs())
    if inputs.note:
        print(f"note: {inputs.note}", file=sys.stderr)
    if inputs.unavailable:
        raise FmError(f"nothing to record from: {inputs.unavailable}")
    return list(inputs.devices)


def _chosen(wanted: str | None) -> InputId:
    """The input id for `--input`: an id as listed, a name, or the start or a part of one
    name (the start first: "System audio" is also inside "Microphone + System audio")."""
    if wanted is None:
        return None
    inputs = _inputs()
    for key, name in inputs:
        if wanted in (str(key), name):
            return key
    folded = wanted.casefold()
    for near in (
        [key for key, name in inputs if name.casefold().startswith(folded)],
        [key for key, name in inputs if folded in name.casefold()],
    ):
        if len(near) == 1:
            return near[0]
    listed = "; ".join(f"{key}: {name}" for key, name in inputs)
    raise FmError(f"no single input matches {wanted!r}; the inputs are {listed}")


def _stop_on_ctrl_c(stop: threading.Event) -> None:
    """The first Ctrl-C stops the recording (it is then transcribed), a second one quits."""

    def handler(_signum: int, _frame: FrameType | None) -> None:
        if stop.is_set():
            raise KeyboardInterrupt
        print("\nstopping; Ctrl-C again to skip the transcription", file=sys.stderr)
        stop.set()

    signal.signal(signal.SIGINT, handler)


def _record(args: argparse.Namespace) -> int:
    from fmstudio.core.speech.record import record
    from fmstudio.core.speech.requests import Record
    from fmstudio.core.speech.writers import render

    if args.list_inputs:
        for key, name in _inputs():
            print(f"{key}\t{name}")
        return EXIT_OK
    stop = threading.Event()
    _stop_on_ctrl_c(stop)
    if args.seconds:
        timer = threading.Timer(args.seconds, stop.set)
        timer.daemon = True  # a second Ctrl-C quits at once, not when the timer is due
        timer.start()
    request = Record(
        input_device=_chosen(args.input),
        model=args.model,
        live=False,
        options=speech_options(args),
        device=args.device,
    )
    print("recording; Ctrl-C stops", file=sys.stderr)
    recording = drive(record(request, stop=stop), ProgressDisplay())
    print(f"saved {recording.path}", file=sys.stderr)
    if recording.transcript is not None:
        sys.stdout.write(render(recording.transcript, args.format))
    return EXIT_OK


def add_record_command(group: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = group.add_parser(
        "record",
        help="record a microphone or the computer's sound, then transcribe it",
        description="Record until Ctrl-C (or --seconds) into the recordings folder, then "
        "transcribe the whole recording. --input takes an id or a name from --list-inputs: "
        "'System audio (…)' records what the computer plays, 'Microphone + System audio (…)' "
        "both (a call: you and them).",
    )
    parser.add_argument("--input", help="id or (part of a) name; default: the default microphone")
    parser.add_argument("--list-inputs", action="store_true", help="list the inputs and quit")
    parser.add_argument("--seconds", type=positive_int, help="stop after this many seconds")
    add_model_option(parser, SPEECH, "bundled name, a faster-whisper size or a folder")
    parser.add_argument("--format", choices=FORMATS, default="txt")
    add_decoding_options(parser)
    parser.set_defaults(func=_record)
