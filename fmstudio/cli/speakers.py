"""`fmstudio speakers`: the voice profiles that name speakers in every transcription."""

from __future__ import annotations

import argparse
import json
import sys

from fmstudio.cli.output import EXIT_OK, EXIT_SOME_FAILED
from fmstudio.core.errors import FmError
from fmstudio.core.speech.voices import VoiceLibrary


def _enroll(args: argparse.Namespace) -> int:
    from fmstudio.core.speech.speakers import enroll  # torch: only here

    voice, problems = enroll(VoiceLibrary(), args.name, args.clips)
    for problem in problems:
        print(f"error: {problem}", file=sys.stderr)
    if voice is None:
        raise FmError(f"no clip could be used: {args.name}'s voice was not saved")
    print(f"{voice.name}: {voice.seconds:.1f} s of speech in the profile")
    return EXIT_SOME_FAILED if problems else EXIT_OK


def _list(args: argparse.Namespace) -> int:
    voices, problems = VoiceLibrary().load()
    for problem in problems:
        print(f"warning: {problem}", file=sys.stderr)
    if args.json:
        rows = [{"name": v.name, "seconds": round(v.seconds, 2)} for v in voices]
        print(json.dumps(rows, indent=2, ensure_ascii=False))
    elif not voices:
        print("no voices yet: fmstudio speakers enroll NAME CLIP...")
    for voice in voices if not args.json else ():
        print(f"{voice.name}\t{voice.seconds:.1f} s")
    return EXIT_OK


def _remove(args: argparse.Namespace) -> int:
    VoiceLibrary().remove(args.name)
    print(f"removed {args.name}")
    return EXIT_OK


def _rename(args: argparse.Namespace) -> int:
    voice = VoiceLibrary().rename(args.old, args.new)
    print(f"{args.old} is now {voice.name} ({voice.seconds:.1f} s of speech)")
    return EXIT_OK


def _merge(args: argparse.Namespace) -> int:
    voice = VoiceLibrary().merge(args.into, args.other)
    print(f"{args.other} merged into {voice.name} ({voice.seconds:.1f} s of speech)")
    return EXIT_OK


def add_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    group = sub.add_parser(
        "speakers",
        help="voice profiles: name a speaker once, named in every transcription after",
        description="Profiles keep a voice vector, never audio. Transcriptions with --speakers "
        "name an enrolled voice when it is clearly the same, and show 'Speaker 2 (maybe Ana?)' "
        "when it is only alike.",
    ).add_subparsers(dest="speakers_command", metavar="COMMAND", required=True)
    enroll = group.add_parser("enroll", help="learn a voice from clips of that person alone")
    enroll.add_argument("name")
    enroll.add_argument(
        "clips", nargs="+", metavar="CLIP", help="audio files (a known name learns more)"
    )
    enroll.set_defaults(func=_enroll)
    listing = group.add_parser("list", help="the enrolled voices")
    listing.add_argument("--json", action="store_true", help="print JSON")
    listing.set_defaults(func=_list)
    remove = group.add_parser("remove", help="forget a voice")
    remove.add_argument("name")
    remove.set_defaults(func=_remove)
    rename = group.add_parser("rename", help="rename a voice (to a known name: merge the two)")
    rename.add_argument("old")
    rename.add_argument("new")
    rename.set_defaults(func=_rename)
    merge = group.add_parser("merge", help="two profiles of one person become one")
    merge.add_argument("into")
    merge.add_argument("other")
    merge.set_defaults(func=_merge)
