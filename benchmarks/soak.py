"""Soak: many classifications in one window; does memory settle and nothing leak?

The main window (offscreen) classifies ROUNDS rounds of images and of texts through the real
Image and Text tabs (each round: drop a folder, wait for the results, clear the table). After
every round it prints the process's resident memory (RSS), its threads and its open file
handles. Printed last: RSS growth from the end of the warm-up round to the end, which should
stay under 5 %, and the growth of threads and file handles, which should be 0.

Run: .venv/bin/python benchmarks/soak.py [--rounds 10] [--per-round 100]
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("FMSTUDIO_HOME", tempfile.mkdtemp())

import numpy as np
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent))


def rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as f:
        line = next(x for x in f if x.startswith("VmRSS:"))
    return int(line.split()[1]) / 1024


def open_files() -> int:
    return len(os.listdir("/proc/self/fd"))


def make_inputs(root: Path, n: int) -> tuple[Path, Path]:
    rng = np.random.default_rng(0)
    images, texts = root / "images", root / "texts"
    images.mkdir(parents=True)
    texts.mkdir(parents=True)
    words = [
        "goal",
        "match",
        "team",
        "sauce",
        "oven",
        "recipe",
        "rain",
        "wind",
        "storm",
        "striker",
        "butter",
        "flour",
    ]
    for i in range(n):
        pixels = rng.integers(0, 255, (64, 64, 3), dtype=np.uint8)
        Image.fromarray(pixels).save(images / f"{i}.png")
        text = " ".join(rng.choice(words, 12))
        (texts / f"{i}.txt").write_text(text.capitalize() + ".", encoding="utf-8")
    return images, texts


def run_round(app, tab, folder: Path, n: int) -> None:
    tab.add_paths([str(folder)])
    deadline = time.monotonic() + 600
    while (tab.table.model.rowCount() < n or tab.is_busy()) and time.monotonic() < deadline:
        app.processEvents()
        time.sleep(0.01)
    if tab.table.model.rowCount() < n:
        raise SystemExit(f"round did not finish: {tab.table.model.rowCount()} of {n}")
    tab.clear()
    app.processEvents()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--per-round", type=int, default=100)
    args = parser.parse_args()
    from fmstudio.ui.app import create_app
    from fmstudio.ui.main_window import MainWindow

    app = create_app()
    window = MainWindow()
    window.show()
    window.tabs_by_key["text"].labels.setText("sports, cooking, weather")
    with tempfile.TemporaryDirectory() as tmp:
        images, texts = make_inputs(Path(tmp), args.per_round)
        rows = []
        for r in range(args.rounds):
            for key, folder in (("image", images), ("text", texts)):
                run_round(app, window.tabs_by_key[key], folder, args.per_round)
            gc.collect()
            rows.append((rss_mb(), threading.active_count(), open_files()))
            done = (r + 1) * args.per_round
            print(
                f"round {r + 1}: {done} images + {done} texts: RSS {rows[-1][0]:.0f} MB, "
                f"{rows[-1][1]} Python threads, {rows[-1][2]} open files",
                flush=True,
            )
    window.close()
    first, last = rows[0], rows[-1]
    print(
        f"after warm-up -> end: threads {last[1] - first[1]:+d}, open files {last[2] - first[2]:+d}"
    )
    print(f"RSS growth after the warm-up round: {(last[0] - first[0]) / first[0]:.1%}")


if __name__ == "__main__":
    main()
