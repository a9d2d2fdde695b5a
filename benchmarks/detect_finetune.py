"""Fine-tuning a detector on a small real dataset, offline: held-out mAP of the fine-tuned
model against the bundled COCO detector, and the minutes it took on this machine.

Data: crops of scikit-image's coins photo (24 Greek coins; each coin boxed as the library's
gallery segments it), rescaled and brightened at random; the coins of the photo's left half
train, those of its right half are held out (tests/datasets.py: make_coin_boxes). COCO has
no coin, so the default is given its best chance: every box it finds, of any class, counts
as a coin (it sees them as bowls, donuts, clocks...).

Run: .venv/bin/python benchmarks/detect_finetune.py [--train 24] [--val 8] [--epochs 30]
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import report

from fmstudio.core import loading
from fmstudio.core.detect.evaluate import run_detector
from fmstudio.core.detect.formats import Labelled
from fmstudio.core.detect.metrics import score
from fmstudio.core.detect.results import MIN_SCORE, Box
from fmstudio.core.detect.scan import scan_boxes
from fmstudio.core.detect.train_job import fine_tune_detector
from fmstudio.core.events import CancelToken, run_to_end
from fmstudio.core.train.spec import TrainSpec
from tests.datasets import make_coin_boxes


def default_as_coins(folder: Path) -> float:
    """The bundled COCO model's held-out mAP when any box it finds is called a coin."""
    val = scan_boxes(str(folder), 0.2, 0).val
    detector = loading.load("centernet-coco", "detect")
    found = run_to_end(run_detector(detector, [im.path for im in val], 4, CancelToken()))
    coins = [[Box("coin", b.score, b.box) for b in boxes] for boxes in found]
    truth = [Labelled(im.path, im.boxes, im.size) for im in val]
    return score(truth, coins, ["coin"], MIN_SCORE).map


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--train", type=int, default=24)
    parser.add_argument("--val", type=int, default=8)
    parser.add_argument("--epochs", type=int, default=None)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="detect-finetune-"))
    os.environ["FMSTUDIO_HOME"] = str(work / "home")
    try:
        data = make_coin_boxes(work / "coins", args.train, args.val)
        before = default_as_coins(data)
        print(f"bundled COCO detector, any box as a coin: held-out mAP {before:.3f}")
        spec = TrainSpec("detect", str(data), "coins", epochs=args.epochs)
        start = time.perf_counter()
        result = run_to_end(fine_tune_detector(spec))
        minutes = (time.perf_counter() - start) / 60
        after = result.after
        assert after is not None
        print(f"fine-tuned on {args.train} images in {minutes:.1f} min: held-out mAP "
              f"{after.map:.3f}, mAP@0.5 {after.map_50:.3f} on {after.images} images")  # fmt: skip
        report("fine-tuned", after.map, "default", max(before, 1e-3), "mAP", "fine-tuned / default")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
