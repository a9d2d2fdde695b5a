"""`fmstudio image classify`: the Image tab's job, headless."""

from __future__ import annotations

import argparse

from fmstudio.cli.options import add_classify_options, add_model_option, subcommands
from fmstudio.cli.output import run_classify
from fmstudio.cli.sort import add_sort_options, check_sort_options
from fmstudio.core.image.requests import ClassifyImages
from fmstudio.core.modalities import IMAGE


def _classify(args: argparse.Namespace) -> int:
    check_sort_options(args)
    from fmstudio.core.image.classify import classify_images

    request = ClassifyImages(
        tuple(args.paths), args.model, args.top_k, args.batch_size, args.device
    )
    return run_classify(classify_images(request), args)


def add_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    classify = subcommands(sub, IMAGE, "image classification").add_parser(
        "classify",
        help="classify image files and folders (folders recurse)",
        description="Classify images. Exit status 0 when every file was classified, "
        "2 when any failed (after all the others were reported).",
    )
    classify.add_argument("paths", nargs="+", metavar="PATH", help="image files or folders")
    add_model_option(
        classify, IMAGE, "bundled name, library name, folder, timm name or Hugging Face id"
    )
    add_classify_options(classify, IMAGE, "image")
    add_sort_options(classify, "image", "image")
    classify.set_defaults(func=_classify)
