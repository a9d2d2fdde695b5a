"""Object detection throughput: fmstudio's detect job against a plain PyTorch loop of the same
model, on the same real photos, with the same boxes.

Photos: scikit-image's sample photos with objects COCO names (a cat, a cup, two motorcycles,
an astronaut, a rocket, a cameraman) and scikit-learn's two sample photos (china, flower),
saved as JPEG and repeated to --images files. The plain loop is the one a user writes for the
converted graph: each file opened, letterboxed, run through the torch module under no_grad,
decoded. fmstudio runs its job (`detect_images`): ONNX Runtime, batches of 4. Both decode with
the same function, so the boxes must agree (labels, scores within 0.01, corners within 1 px).

Run: .venv/bin/python benchmarks/bench_detect.py [--images 64] [--repeats 3]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import torch
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import report

from fmstudio.core import loading
from fmstudio.core.detect.detect import detect_images
from fmstudio.core.detect.models import Detector, bundled_folder, decode_output, load_folder
from fmstudio.core.detect.requests import DetectImages
from fmstudio.core.detect.results import Box
from fmstudio.core.events import run_to_end

SKIMAGE = ("chelsea.png", "coffee.png", "motorcycle_left.png", "motorcycle_right.png",
           "astronaut.png", "rocket.jpg", "camera.png")  # fmt: skip


def photos(folder: Path, n: int) -> list[Path]:
    from sklearn.datasets import load_sample_image

    from tests.datasets import skimage_photo

    sources = [Image.open(skimage_photo(name)).convert("RGB") for name in SKIMAGE]
    sources += [Image.fromarray(load_sample_image(n)) for n in ("china.jpg", "flower.jpg")]
    paths = []
    for i in range(n):
        path = folder / f"{i:03d}.jpg"
        sources[i % len(sources)].save(path, quality=92)
        paths.append(path)
    return paths


@torch.no_grad()
def plain_loop(detector: Detector, paths: list[Path]) -> list[list[Box]]:
    found = []
    for path in paths:
        image = Image.open(path).convert("RGB")
        tensor, scale = detector.letterbox(image)
        out = detector.net(tensor[None])
        found.append(decode_output(out, 0, detector.classes, scale, image.size))
    return found


def ours(paths: list[Path]) -> list[list[Box]]:
    request = DetectImages(tuple(str(p) for p in paths), "centernet-coco", device="cpu")
    return [list(r.boxes) for r in run_to_end(detect_images(request))]


def same_boxes(a: list[list[Box]], b: list[list[Box]]) -> bool:
    def shown(boxes: list[Box]) -> list[Box]:
        return [x for x in boxes if x.score >= 0.3]

    for mine, theirs in zip(a, b, strict=True):
        mine, theirs = shown(mine), shown(theirs)
        if [x.label for x in mine] != [x.label for x in theirs]:
            return False
        for x, y in zip(mine, theirs, strict=True):
            close = all(abs(u - v) <= 1 for u, v in zip(x.box, y.box, strict=True))
            if abs(x.score - y.score) > 0.01 or not close:
                return False
    return True


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--images", type=int, default=64)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench-detect-"))
    try:
        paths = photos(folder, args.images)
        plain = load_folder(bundled_folder(), "centernet-coco")
        fast = loading.cached_load("centernet-coco", "detect", "cpu")
        print(f"fmstudio runs {fast.runtime}; {torch.get_num_threads()} torch threads")
        ours(paths[:4]), plain_loop(plain, paths[:4])  # warm both up
        times: dict[str, list[float]] = {"fmstudio": [], "plain": []}
        for _ in range(args.repeats):
            for name, run in (
                ("fmstudio", lambda: ours(paths)),
                ("plain", lambda: plain_loop(plain, paths)),
            ):
                start = time.perf_counter()
                run()
                times[name].append(time.perf_counter() - start)
        agree = same_boxes(ours(paths), plain_loop(plain, paths))
        print(f"same boxes (score >= 0.3) on all {len(paths)} photos: {agree}")
        rate = {k: len(paths) / statistics.median(v) for k, v in times.items()}
        report(
            "fmstudio",
            rate["fmstudio"],
            "plain loop",
            rate["plain"],
            "images/s",
            "fmstudio / plain",
        )
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
