"""How cost grows with the work: per-item time and peak memory at 1k, 10k and 100k inputs.

Three jobs, each size of each in a process of its own so that its peak memory is its own:
- scan: the training-folder scan (`classify/scan.scan`) of N small images, 32x32 PNGs in four
  class folders; it reads and decodes every file.
- classify: the image classify job (`classify_images`, the bundled EfficientNet-Lite0) on the
  same N images, its results consumed as the CLI consumes them.
- head training: text head-mode training (`fine_tune`, MiniLM, one epoch, 20 % held out) on N
  short texts in one CSV (text,label), the embedding of every text included.
The inputs are made at run time in a temporary folder (once per size). Per-item time counts
the job alone (the model is loaded before the clock starts); memory is the process's peak
resident size above what it held just before the job. Printed: a table; last, the largest
growth of per-item time from the smallest size to the largest (the goal: within 1.3x).

Run: .venv/bin/python benchmarks/bench_scale.py [--sizes 1000,10000,100000]
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import report

CLASSES = ("red", "green", "blue", "grey")
JOBS = ("scan", "classify", "head training")
WORDS = {
    "red": ["fire", "apple", "blood", "rose", "brick", "cherry", "flame", "ruby", "lava", "tomato"],
    "green": ["leaf", "grass", "frog", "moss", "lime", "pine", "fern", "olive", "jade", "mint"],
    "blue": ["sea", "sky", "ocean", "lake", "wave", "river", "ice", "navy", "sapphire", "denim"],
    "grey": ["ash", "stone", "fog", "cloud", "steel", "smoke", "slate", "iron", "dust", "concrete"],
}
FILLER = ["the", "a", "of", "in", "on", "with", "near", "under", "over", "and"]


def make_images(root: Path, n: int) -> None:
    """N distinct small PNGs (noise around a class colour), in one folder per class."""
    rng = np.random.default_rng(n)
    base = {"red": (200, 40, 40), "green": (40, 180, 60), "blue": (40, 70, 200), "grey": (128,) * 3}
    for label in CLASSES:
        (root / label).mkdir(parents=True, exist_ok=True)
    for i in range(n):
        label = CLASSES[i % len(CLASSES)]
        noise = rng.integers(-40, 40, (32, 32, 3))
        pixels = np.clip(np.array(base[label]) + noise, 0, 255).astype("uint8")
        Image.fromarray(pixels).save(root / label / f"{i:06d}.png")


def make_texts(path: Path, n: int) -> None:
    """N short texts of 12 words, those of its class among filler words: the same length
    whatever N (10^12 of them, so hardly any repeats)."""
    rng = random.Random(n)
    with path.open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(["text", "label"])
        for i in range(n):
            label = CLASSES[i % len(CLASSES)]
            words = [rng.choice(WORDS[label] if j % 2 else FILLER) for j in range(12)]
            writer.writerow([" ".join(words), label])


def resident_mb() -> float:
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * resource.getpagesize() / 2**20


def run_one(job: str, data: Path, n: int) -> dict[str, float]:
    """One job on one size, in this process: seconds and peak memory above the start."""
    from fmstudio.core import loading
    from fmstudio.core.classify.scan import scan
    from fmstudio.core.classify.train_job import fine_tune
    from fmstudio.core.events import Partial, run_to_end
    from fmstudio.core.image.classify import classify_images
    from fmstudio.core.image.requests import ClassifyImages
    from fmstudio.core.train.spec import TrainSpec

    if job == "classify":
        model = loading.cached_load("efficientnet_lite0", "image", "cpu")
        start_mb, start = resident_mb(), time.perf_counter()
        kept = 0

        def count(event: object) -> None:
            nonlocal kept
            if isinstance(event, Partial):
                kept += len(event.items)

        request = ClassifyImages(paths=(str(data / "images"),), model=model, top_k=1)
        run_to_end(classify_images(request), count)
        assert kept == n, f"{kept} results for {n} images"
    elif job == "scan":
        start_mb, start = resident_mb(), time.perf_counter()
        found = scan(data / "images", "image", val_split=0.2)
        assert len(found.train) + len(found.val) == n, found.skipped[:3]
    else:
        loading.cached_load("all-MiniLM-L6-v2", "text", "cpu")
        spec = TrainSpec(
            "text", str(data / "texts.csv"), str(data / "model"), mode="head", epochs=1
        )
        start_mb, start = resident_mb(), time.perf_counter()
        run_to_end(fine_tune(spec))
    seconds = time.perf_counter() - start
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"per_item_ms": 1000 * seconds / n, "memory_mb": max(peak_mb - start_mb, 0.0)}


def measure(job: str, data: Path, n: int) -> dict[str, float]:
    command = [sys.executable, __file__, "--one", job, "--data", str(data), "--n", str(n)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode:
        raise SystemExit(f"{job} at {n} failed:\n{done.stderr[-3000:]}")
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--one", choices=JOBS)
    parser.add_argument("--data", type=Path)
    parser.add_argument("--n", type=int)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(run_one(args.one, args.data, args.n)))
        return
    sizes = [int(s) for s in args.sizes.split(",")]
    table: dict[str, dict[int, dict[str, float]]] = {job: {} for job in JOBS}
    print(f"{'job':14s} {'inputs':>8s} {'ms/item':>9s} {'peak MB':>9s}", flush=True)
    for n in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            data = Path(tmp)
            make_images(data / "images", n)
            make_texts(data / "texts.csv", n)
            for job in JOBS:
                row = table[job][n] = measure(job, data, n)
                print(
                    f"{job:14s} {n:8d} {row['per_item_ms']:9.3f} {row['memory_mb']:9.1f}",
                    flush=True,
                )
    growth = {
        job: rows[sizes[-1]]["per_item_ms"] / rows[sizes[0]]["per_item_ms"]
        for job, rows in table.items()
    }
    for job, ratio in growth.items():
        grown = table[job][sizes[-1]]["memory_mb"] / max(table[job][sizes[0]]["memory_mb"], 1)
        print(
            f"{job}: per-item time x{ratio:.2f}, peak memory x{grown:.1f}",
            f"({sizes[-1]} inputs against {sizes[0]})",
        )
    worst = max(growth, key=growth.__getitem__)
    report(
        f"{worst}, ms per item at {sizes[-1]}",
        table[worst][sizes[-1]]["per_item_ms"],
        f"at {sizes[0]}",
        table[worst][sizes[0]]["per_item_ms"],
        "ms",
        "largest growth of per-item time",
    )


if __name__ == "__main__":
    main()
