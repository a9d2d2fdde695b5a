"""Does fine-tuning with the defaults beat a logistic-regression probe on frozen features?

For each real dataset (benchmarks/_datasets.py: digits and docstrings with 20 training
examples per class and 30 held out; movies with 750 and 500; drums, real drum hits from
Debian's hydrogen-drumkits, 40 per class from ten kits and up to 25 from three held-out kits)
it trains fmstudio with the given modes (default: auto, i.e. what a user gets by changing
nothing) and scikit-learn's LogisticRegression on the frozen backbone's features of the same
training examples, and measures both on the held-out test folder.

Run: .venv/bin/python benchmarks/train_quality.py [--modes auto head full] [--datasets ...]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

import torch
from _datasets import digits, docstrings, drums, movies

from fmstudio.core import loading
from fmstudio.core.classify.evaluate import evaluate_model
from fmstudio.core.classify.scan import scan
from fmstudio.core.classify.train_job import fine_tune
from fmstudio.core.events import run_to_end
from fmstudio.core.requests import Evaluate
from fmstudio.core.train.spec import TrainSpec

VERBOSE = False


def _show(event) -> None:
    if type(event).__name__ in ("EpochMetrics", "Log"):
        print("   ", event, flush=True)


BUILDERS = {
    "digits": ("image", digits),
    "docstrings": ("text", docstrings),
    "movies": ("text", movies),
    "drums": ("sound", drums),
}


def _features(task: str, samples) -> torch.Tensor:
    """The frozen backbone's features: pooled EfficientNet-Lite0, mean-pooled MiniLM, the
    sound-effects CNN's embedding of each clip's loudest window."""

    if task == "image":
        from fmstudio.core.data.images import load_image
        from fmstudio.core.image.transforms import to_tensor

        model = loading.load("efficientnet_lite0", "image")
        out = []
        with torch.inference_mode():
            for i in range(0, len(samples), 32):
                batch = torch.stack(
                    [to_tensor(load_image(s.path), model.preprocess) for s in samples[i : i + 32]]
                )
                out.append(model.model.forward_head(model.model.forward_features(batch), True))
        return torch.cat(out)
    if task == "sound":
        return _sound_features(samples)
    encoder = loading.load("all-MiniLM-L6-v2", "text")
    return torch.cat(
        [encoder.embed([s.text for s in samples[i : i + 32]]) for i in range(0, len(samples), 32)]
    )


def _sound_features(samples) -> torch.Tensor:
    from fmstudio.core.data.audio import load_audio
    from fmstudio.core.sound import sfx_cnn, sfx_frontend
    from fmstudio.core.sound.finetune import loudest_window

    network = sfx_cnn.pretrained()
    windows = [
        loudest_window(sfx_frontend.log_mel(load_audio(s.path, sfx_frontend.SAMPLE_RATE)))
        for s in samples
    ]
    with torch.inference_mode():
        return torch.cat(
            [network(torch.stack(windows[i : i + 32])) for i in range(0, len(windows), 32)]
        )


def probe_accuracy(task: str, train_dir: Path, test_dir: Path) -> float:
    from sklearn.linear_model import LogisticRegression

    train = scan(train_dir, task, val_split=0.0)
    test = scan(test_dir, task, val_split=0.0)
    x_train, x_test = _features(task, train.train), _features(task, test.train)
    probe = LogisticRegression(max_iter=5000).fit(x_train.numpy(), [s.label for s in train.train])
    return float(probe.score(x_test.numpy(), [s.label for s in test.train]))


def ours(
    task: str, train_dir: Path, test_dir: Path, mode: str, seed: int, lr: float | None
) -> tuple[float, float]:
    start = time.perf_counter()
    spec = TrainSpec(task, str(train_dir), f"q-{task}-{mode}", mode=mode, seed=seed, lr=lr)
    result = run_to_end(fine_tune(spec), _show if VERBOSE else None)
    seconds = time.perf_counter() - start
    evaluated = run_to_end(evaluate_model(Evaluate(task, str(result.folder), str(test_dir))))
    return evaluated.evaluation.accuracy, seconds


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--modes", nargs="+", default=["auto"])
    parser.add_argument("--datasets", nargs="+", default=list(BUILDERS))
    parser.add_argument("--seeds", type=int, default=1)
    parser.add_argument("--lr", type=float, help="instead of the default learning rate")
    parser.add_argument("--verbose", action="store_true", help="print every epoch")
    args = parser.parse_args()
    global VERBOSE
    VERBOSE = args.verbose
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["FMSTUDIO_HOME"] = str(Path(tmp) / "home")
        rows = []
        for name in args.datasets:
            task, build = BUILDERS[name]
            train_dir, test_dir = build(Path(tmp) / name)
            probe = probe_accuracy(task, train_dir, test_dir)
            print(f"{name}: logistic-regression probe {probe:.1%}", flush=True)
            for mode in args.modes:
                for seed in range(args.seeds):
                    acc, seconds = ours(task, train_dir, test_dir, mode, seed, args.lr)
                    print(
                        f"{name}: fmstudio {mode} seed {seed}: {acc:.1%} in {seconds:.0f} s",
                        flush=True,
                    )
                    rows.append((name, mode, seed, acc, probe, seconds))
        print("\ndataset     mode  seed  fmstudio  probe   train s")
        for name, mode, seed, acc, probe, seconds in rows:
            print(f"{name:11s} {mode:5s} {seed:4d}  {acc:7.1%}  {probe:6.1%}  {seconds:7.0f}")
        ratios = [acc / probe for *_, acc, probe, _ in rows]
        print(f"fmstudio / probe accuracy, mean over runs: {sum(ratios) / len(ratios):.3f}")


if __name__ == "__main__":
    main()
