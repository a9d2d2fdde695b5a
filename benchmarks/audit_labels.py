"""Finding flipped labels: fmstudio's audit against a plain probe, on the same embeddings.

Real data (benchmarks/_datasets.py): scikit-learn's handwritten digits (1,000 real scans, 100
a class) and the docstrings of six standard-library packages (texts by topic). 10 % of the
files are moved into another class folder at random (seeded). fmstudio audits the folder
(`fmstudio audit`: embeddings of the task's model, held-out predictions of a logistic
regression and a nearest-neighbours vote, confident learning); the plain probe is a logistic
regression on the same embeddings, 5-fold, files ranked by their lowest self-confidence. For
each, the share of the flipped files among the top k suspects (k = the number flipped), then
the audit's time once the embeddings are cached; the ratio (fmstudio / probe) last.

Run: .venv/bin/python benchmarks/audit_labels.py [--seeds 3]
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import report
from _datasets import digits, docstrings

from fmstudio.core.audit.embeddings import embed
from fmstudio.core.audit.job import audit
from fmstudio.core.events import CancelToken, run_to_end
from fmstudio.core.requests import Audit

SETS = {
    "digits": ("image", lambda root: digits(root, 100, 0)[0]),
    "docstrings": ("text", lambda root: docstrings(root, 60, 0)[0]),
}
FLIP = 0.10


def flip(folder: Path, seed: int) -> set[str]:
    """Move 10 % of the files into another class's folder; their new paths."""
    rng = random.Random(seed)
    files = sorted(p for p in folder.rglob("*") if p.is_file())
    classes = sorted(p.name for p in folder.iterdir() if p.is_dir())
    moved = set()
    for path in rng.sample(files, round(FLIP * len(files))):
        other = rng.choice([c for c in classes if c != path.parent.name])
        target = folder / other / f"flipped-{path.name}"
        shutil.move(path, target)
        moved.add(str(target))
    return moved


def plain_probe(task: str, folder: Path, k: int, seed: int) -> list[str]:
    """LogisticRegression on the same embeddings, 5-fold, lowest self-confidence first."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import cross_val_predict

    from fmstudio.core.classify.scan import scan
    from fmstudio.core.modalities import modality

    found = scan(folder, task, val_split=0.0)
    samples = found.train + found.val
    x = run_to_end(
        embed(samples, task, modality(task).base_model, found.classes, "cpu", CancelToken())
    )
    y = np.array([found.classes.index(s.label) for s in samples])
    probs = cross_val_predict(LogisticRegression(max_iter=2000), x, y, cv=5, method="predict_proba")
    order = np.argsort(probs[np.arange(len(y)), y])
    return [samples[i].path for i in order[:k]]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", type=int, default=3)
    args = parser.parse_args()
    ours_all, plain_all = [], []
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["FMSTUDIO_HOME"] = str(Path(tmp) / "home")
        for name, (task, build) in SETS.items():
            for seed in range(args.seeds):
                folder = build(Path(tmp) / f"{name}-{seed}")
                flipped = flip(folder, seed)
                k = len(flipped)
                run_to_end(audit(Audit(str(folder), task, seed=seed)))  # embeddings cached
                started = time.perf_counter()
                result = run_to_end(audit(Audit(str(folder), task, seed=seed)))
                seconds = time.perf_counter() - started
                ours = len({result.path(s.index) for s in result.suspects[:k]} & flipped) / k
                plain = len(set(plain_probe(task, folder, k, seed)) & flipped) / k
                print(
                    f"{name} seed {seed}: {k} flipped; audit finds {ours:.1%} in its top {k}, "
                    f"the plain probe {plain:.1%}; audit {seconds:.1f} s on "
                    f"{len(result.samples)} cached examples ({len(result.suspects)} suspects)",
                    flush=True,
                )
                ours_all.append(ours)
                plain_all.append(plain)
    report(
        "audit",
        statistics.mean(ours_all),
        "plain probe",
        statistics.mean(plain_all),
        "of the flipped files in the top k",
        "audit / probe, mean over sets and seeds",
    )


if __name__ == "__main__":
    main()
