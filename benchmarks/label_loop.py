"""One round of "find what to label next" on real scans, against labelling at random.

scikit-learn's handwritten digits: a labelled seed of 5 per class, a pool of 30 per class
whose labels are hidden, and a held-out test set of 30 per class. fmstudio trains on the seed
(defaults), classifies the pool, and 50 files are reviewed least sure first through the same
`ReviewQueue` and `Dataset` the Image tab uses (the hidden label plays the user: Enter when the
prediction is right, the class's number key otherwise); the model is then retrained from its
card. Three picks of 50 are compared, each retrained with the same settings: the least sure
(what "find what to label next" uses), the least sure taken one predicted class at a time, and
50 at random. Printed last: the key presses, and the test accuracy of each model.

Run: .venv/bin/python benchmarks/label_loop.py [--review 50] [--seeds 1] [--first-seed 0]
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import tempfile
from dataclasses import replace
from pathlib import Path

from _datasets import digits

from fmstudio.core.classify.dataset import Dataset, Item
from fmstudio.core.classify.evaluate import evaluate_model
from fmstudio.core.classify.results import ItemResult
from fmstudio.core.classify.retrain import retrain_spec
from fmstudio.core.classify.review import ReviewQueue, class_keys, review_classes
from fmstudio.core.classify.train_job import fine_tune
from fmstudio.core.events import run_to_end
from fmstudio.core.image.classify import classify_images
from fmstudio.core.image.requests import ClassifyImages
from fmstudio.core.requests import Evaluate
from fmstudio.core.train.spec import TrainSpec

SEED_PER_CLASS = 5


def _split(train_dir: Path, root: Path) -> tuple[Path, dict[str, str]]:
    """The labelled seed folder, and the pool: file → hidden label."""
    seed_dir, pool_dir = root / "labelled", root / "pool"
    pool_dir.mkdir(parents=True)
    truth: dict[str, str] = {}
    for class_dir in sorted(train_dir.iterdir()):
        files = sorted(class_dir.iterdir(), key=lambda p: int(p.stem))
        (seed_dir / class_dir.name).mkdir(parents=True)
        for f in files[:SEED_PER_CLASS]:
            shutil.copy(f, seed_dir / class_dir.name / f.name)
        for f in files[SEED_PER_CLASS:]:
            target = pool_dir / f"{class_dir.name}-{f.name}"
            shutil.copy(f, target)
            truth[str(target)] = class_dir.name
    return seed_dir, truth


def _accuracy(model: str, test_dir: Path) -> float:
    result = run_to_end(evaluate_model(Evaluate("image", model, str(test_dir))))
    return result.evaluation.accuracy


def _per_class(results: list[ItemResult], order: list[int]) -> list[int]:
    """`order` (least sure first) taken one predicted class at a time, in turn: the idea that
    a weak model's least sure files crowd into a few classes and a pick spread over all of them
    teaches more (measured here: it does not, on digits)."""
    by_class: dict[str, list[int]] = {}
    for i in order:
        top = results[i].top
        assert top is not None
        by_class.setdefault(top.label, []).append(i)
    queues = list(by_class.values())
    picked: list[int] = []
    for rank in range(max((len(q) for q in queues), default=0)):
        picked += [q[rank] for q in queues if rank < len(q)]
    return picked


def _review(
    model: str, truth: dict[str, str], dataset: Path, n: int, balanced: bool
) -> tuple[int, int]:
    """Review the n least sure pool files into `dataset`; (Enter presses, number keys)."""
    results = run_to_end(classify_images(ClassifyImages(tuple(sorted(truth)), model, top_k=3)))
    grown = Dataset(dataset, "image")
    classes = review_classes(results, grown.classes())
    queue = ReviewQueue(results, limit=n)
    if balanced:  # the whole pool least sure first, then n taken one class at a time
        everything = ReviewQueue(results).order
        queue.order = sorted(_per_class(results, everything)[:n], key=everything.index)
    accepted = numbered = 0
    while (index := queue.current()) is not None:
        result, label = results[index], truth[results[index].path]
        assert result.top is not None
        if result.top.label == label:
            accepted += 1
        else:
            numbered += 1
            assert label in class_keys(classes).values()  # every digit class has a key
        queue.decide(index, label)
        grown.add([Item.of(result)], label)
    return accepted, numbered


def _grow(seed_dir: Path, root: Path, name: str) -> Path:
    folder = root / name
    shutil.copytree(seed_dir, folder)
    return folder


def one_round(root: Path, n: int, seed: int) -> dict[str, float]:
    """Seed-only model, then three ways to pick n files to label, each retrained alike."""
    train_dir, test_dir = digits(root / "digits", train_n=SEED_PER_CLASS + 30, test_n=30, seed=seed)
    seed_dir, truth = _split(train_dir, root)
    active = _grow(seed_dir, root, "least")
    run_to_end(fine_tune(TrainSpec("image", str(active), "loop-v1", seed=seed)))
    row = {"before": _accuracy("loop-v1", test_dir)}
    row["enter"], row["numbers"] = _review("loop-v1", truth, active, n, balanced=False)
    spec = retrain_spec("loop-v1", "image")
    balanced = _grow(seed_dir, root, "balanced")
    _review("loop-v1", truth, balanced, n, balanced=True)
    rand = _grow(seed_dir, root, "random")
    baseline = Dataset(rand, "image")
    for path in random.Random(seed).sample(sorted(truth), n):
        baseline.add([Item(path)], truth[path])
    for arm, folder in (("least", active), ("balanced", balanced), ("random", rand)):
        run_to_end(fine_tune(replace(spec, data=str(folder), output=f"loop-{arm}")))
        row[arm] = _accuracy(f"loop-{arm}", test_dir)
    return row


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--review", type=int, default=50, help="files to review (default 50)")
    parser.add_argument("--seeds", type=int, default=1)
    parser.add_argument("--first-seed", type=int, default=0)
    args = parser.parse_args()
    rows = []
    for seed in range(args.first_seed, args.first_seed + args.seeds):
        with tempfile.TemporaryDirectory() as tmp:
            os.environ["FMSTUDIO_HOME"] = str(Path(tmp) / "home")
            row = one_round(Path(tmp), args.review, seed)
            rows.append(row)
            print(
                f"seed {seed}: seed-only {row['before']:.1%}; +{args.review}: least sure "
                f"{row['least']:.1%}, least sure per class {row['balanced']:.1%}, random "
                f"{row['random']:.1%}; keys: {row['enter']:.0f} Enter + {row['numbers']:.0f} "
                "number",
                flush=True,
            )
    mean = {k: sum(r[k] for r in rows) / len(rows) for k in rows[0]}
    presses = mean["enter"] + mean["numbers"] + 1  # + Ctrl+R to start the review
    print(f"key presses to review {args.review} images: {presses:.0f} (Ctrl+R, then one each)")
    gain = {k: mean[k] - mean["before"] for k in ("least", "balanced", "random")}
    print(
        f"test accuracy, mean of {len(rows)}: seed only {mean['before']:.1%}; least sure "
        f"{mean['least']:.1%}, per class {mean['balanced']:.1%}, random {mean['random']:.1%}; "
        f"gain ratio (per class / random): {gain['balanced'] / max(gain['random'], 1e-9):.2f}"
    )


if __name__ == "__main__":
    main()
