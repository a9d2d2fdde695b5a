"""The `fmstudio` command: each sub-command runs one core job; the GUI is imported lazily."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Sequence
from typing import cast

from fmstudio import __version__
from fmstudio.cli import audit as audit_cli
from fmstudio.cli import evaluate as evaluate_cli
from fmstudio.cli import export as export_cli
from fmstudio.cli import train as train_cli
from fmstudio.cli.options import Parser
from fmstudio.core import catalog
from fmstudio.core.errors import Cancelled, FmError
from fmstudio.core.logs import setup_logging
from fmstudio.core.modalities import import_target, modality, tasks

log = logging.getLogger(__name__)


def _cmd_gui(args: argparse.Namespace) -> int:
    from fmstudio.ui.app import run_gui

    return run_gui(screenshot=args.screenshot, tab=args.tab)


def _cmd_devices(args: argparse.Namespace) -> int:
    from fmstudio.core.devices import available_devices, resolve_device

    devices = available_devices()
    chosen = resolve_device("auto")
    if args.json:
        print(json.dumps({"auto": chosen, "devices": [d.to_dict() for d in devices]}, indent=2))
    else:
        for d in devices:
            mark = "*" if d.kind == chosen else " "
            print(f"{mark} {d.kind:8s} {d.label()}")
    return 0


def _cmd_models(args: argparse.Namespace) -> int:
    entries = catalog.list_models(args.task)
    if args.json:
        print(json.dumps([e.to_dict() for e in entries], indent=2))
        return 0
    for e in entries:
        print(f"{e.task:7s} {e.source:8s} {e.name:45s} {e.availability():14s} {e.description}")
    return 0


def _cmd_install_desktop(args: argparse.Namespace) -> int:
    from fmstudio.core import desktop

    if args.uninstall:
        removed = desktop.uninstall()
        print(f"removed {len(removed)} files" if removed else "no menu entry was installed")
        return 0
    for path in desktop.install():
        print(f"wrote {path}")
    print(f"the menu entry starts: {desktop.launcher()}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="fmstudio",
        description="A desktop studio for foundation models. With no command, opens the window.",
    )
    parser.add_argument("--version", action="version", version=f"fmstudio {__version__}")
    sub = cast(  # made of Parser at run time, like every sub-command's parser
        "argparse._SubParsersAction[argparse.ArgumentParser]",
        parser.add_subparsers(dest="command", metavar="COMMAND"),
    )

    gui = sub.add_parser("gui", help="open the window (or render a screenshot of it)")
    gui.add_argument("--screenshot", metavar="PATH", help="save a PNG of the window and exit")
    gui.add_argument("--tab", choices=tasks(), help="the tab to show")
    gui.set_defaults(func=_cmd_gui)

    devices = sub.add_parser("devices", help="list the compute devices")
    devices.add_argument("--json", action="store_true", help="print JSON")
    devices.set_defaults(func=_cmd_devices)

    models = sub.add_parser("models", help="list the model catalogue")
    models.add_argument("--json", action="store_true", help="print JSON")
    models.add_argument("--task", choices=tasks(), help="only models for this task")
    models.set_defaults(func=_cmd_models)

    desktop = sub.add_parser(
        "install-desktop",
        help="add fmstudio to the desktop's menu (a .desktop file, icons, AppStream metainfo)",
        description="Write the menu entry, icons and metainfo into your XDG data folder "
        "(~/.local/share); no root needed. The entry starts this installation.",
    )
    desktop.add_argument("--uninstall", action="store_true", help="remove them again")
    desktop.set_defaults(func=_cmd_install_desktop)

    for task in tasks():
        if modality(task).cli:
            import_target(modality(task).cli).add_commands(sub)
    train_cli.add_commands(sub)
    evaluate_cli.add_commands(sub)
    export_cli.add_commands(sub)
    audit_cli.add_commands(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    log_path = setup_logging()
    if args.command is None:
        from fmstudio.ui.app import run_gui

        return run_gui()
    try:
        return int(args.func(args))
    except Cancelled:
        print("cancelled", file=sys.stderr)
        return 130
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except FmError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:  # a full disk, no permission: the message says which file and why
        where = f" {exc.filename}" if exc.filename else ""
        print(f"error: could not read or write{where}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    except Exception as exc:
        log.exception("unexpected error in %s", args.command)
        print(f"unexpected error: {exc}\n(details in {log_path})", file=sys.stderr)
        return 1
