"""`fmstudio image classify`: the Image tab's job, headless."""

from __future__ import annotations

import argparse

from fmstudio.cli.output import add_classify_options, run_classify
from fmstudio.core import catalog


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
    add_classify_options(classify, "image", 16)
    classify.set_defaults(func=_classify)
