"""`fmstudio export`: a classifier as ONNX or TorchScript, checked against PyTorch."""

from __future__ import annotations

import argparse
import json

from fmstudio.cli.progress import ProgressDisplay, drive
from fmstudio.core.modalities import exportable_tasks
from fmstudio.core.requests import Export


def _export(args: argparse.Namespace) -> int:
    from fmstudio.core.export.job import export_model

    request = Export(args.model, args.format, args.output or "", args.task)
    result = drive(export_model(request), ProgressDisplay(quiet=args.json))
    if args.json:
        figures = {
            "folder": str(result.folder),
            "format": result.format,
            "largest_difference": result.largest_difference,
            "top1_same": result.top1_same,
        }
        print(json.dumps(figures, indent=2))
    else:
        print(f"{result.folder}  (README.md there shows how to run it without fmstudio)")
    return 0


def add_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    export = sub.add_parser(
        "export",
        help="write an image or text classifier as ONNX or TorchScript",
        description="Write MODEL (a library name, a model folder, or a bundled model) into a "
        "folder as ONNX (runs in plain onnxruntime) or TorchScript (torch.jit.load), with its "
        "classes, preprocessing or tokenizer, and a README that shows how to run it. The "
        "export is loaded back and compared with PyTorch before the folder appears. Speech "
        "models already leave fmstudio as CTranslate2 folders for faster-whisper.",
    )
    export.add_argument("model", metavar="MODEL")
    export.add_argument("--format", choices=("onnx", "torchscript"), default="onnx")
    export.add_argument(
        "--output", metavar="PATH", help="the folder to write (default: ./MODEL-FORMAT)"
    )
    export.add_argument(
        "--task", choices=exportable_tasks(), help="only needed when fmstudio cannot tell"
    )
    export.add_argument("--json", action="store_true", help="print the result as JSON")
    export.set_defaults(func=_export)
