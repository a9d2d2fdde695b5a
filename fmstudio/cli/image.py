"""`fmstudio image classify`: the Image tab's job, headless."""

from __future__ import annotations

import argparse

from fmstudio.cli.output import positive_int, run_classify
from fmstudio.core import catalog
from fmstudio.core.devices import DEVICE_CHOICES


def _classify(args: argparse.Namespace) -> int:
    from fmstudio.core.image.classify import classify_images

    job = classify_images(
        args.paths,
        model=args.model,
        top_k=args.top_k,
        batch_size=args.batch_size,
        device=args.device,
    )
    return run_classify(job, args.json)


def add_commands(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    image = sub.add_parser("image", help="image classification")
    image_sub = image.add_subparsers(dest="image_command", metavar="COMMAND", required=True)
    classify = image_sub.add_parser(
        "classify",
        help="classify image files and folders (folders recurse)",
        description="Classify images. Exit status 0 when every file was classified, "
        "2 when any failed (after all the others were reported).",
    )
    classify.add_argument("paths", nargs="+", metavar="PATH", help="image files or folders")
    classify.add_argument(
        "--model",
        default=catalog.default_model("image"),
        help="bundled name, library name, folder, timm name or Hugging Face id "
        "(default: %(default)s)",
    )
    classify.add_argument(
        "--top-k", type=positive_int, default=5, help="labels per image (default 5)"
    )
    classify.add_argument(
        "--batch-size", type=positive_int, default=16, help="images per batch (default 16)"
    )
    classify.add_argument("--device", choices=DEVICE_CHOICES, default="auto")
    classify.add_argument("--json", action="store_true", help="print one JSON list")
    classify.set_defaults(func=_classify)
