"""Training throughput: fmstudio's loop against a plain PyTorch loop, plus quality vs a probe.

Throughput: both loops fine-tune the same model (the bundled EfficientNet-Lite0 with a new
head, or MiniLM-L6 for `--task text`) from the same initial weights on the same dataset
object (same decoding and augmentation), batch size and precision (fp32 on the CPU; AMP on
CUDA for both: bf16 where supported, else fp16 with a gradient scaler). The plain loop is
what one writes by hand: DataLoader with the default collate, forward, cross-entropy,
backward, AdamW step, in PyTorch's default memory layout. fmstudio's loop adds events,
pause/cancel checks, gradient clipping, the LR schedule and validation bookkeeping, and runs
images channels-last (`image/finetune.MEMORY_FORMAT`) as the fine-tune job does; on a GPU,
worker processes make its batches (`train/loaders.py`), as in the job. Each is timed
over whole epochs after a warm-up epoch; median of --repeats.

Quality (unless --no-quality): benchmarks/train_quality.py's comparison with the defaults
against a logistic-regression probe on frozen features, on the two offline datasets.

Prints samples/s of each and the ratio (fmstudio / plain) last.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import torch
from torch import nn
from torch.utils.data import DataLoader, default_collate

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import report
from _datasets import digits, docstrings

from fmstudio.core.classify.scan import scan
from fmstudio.core.devices import resolve_device
from fmstudio.core.events import CancelToken, run_to_end
from fmstudio.core.train.loaders import loader_workers
from fmstudio.core.train.loop import LoopConfig, autocast_dtype, fit, to_device
from fmstudio.core.train.objectives import logits_of


def build(task: str, root: Path, device: str, per_class: int):
    """The model, its dataset object and collate function, as the fine-tune job makes them."""
    from fmstudio.core.train.finetuner import load_finetuner

    train_dir, _ = (digits if task == "image" else docstrings)(root, per_class, 0)
    report = scan(train_dir, task, val_split=0.0)
    tuner = load_finetuner(
        task, "efficientnet_lite0" if task == "image" else "minilm", report.classes, device
    )
    inputs = run_to_end(tuner.prepare(report.train, CancelToken(), "training"))
    targets = [report.classes.index(s.label) for s in report.train]
    dataset = tuner.dataset(inputs, targets, train=True)
    return tuner, dataset


def plain_epochs(model, dataset, tuner, batch: int, lr: float, device: str, epochs: int):
    """The hand-written loop; returns seconds per epoch."""
    model.to(memory_format=torch.contiguous_format)
    collate = default_collate if args_task(tuner) == "image" else tuner.collate
    dtype = autocast_dtype(device)
    scaler = torch.amp.GradScaler("cuda", enabled=dtype == torch.float16)
    optimizer = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.01)
    model.train()
    times = []
    for epoch in range(epochs):
        torch.manual_seed(epoch)
        start = time.perf_counter()
        loader = DataLoader(dataset, batch_size=batch, shuffle=True, collate_fn=collate)
        for inputs, targets in loader:
            inputs, targets = to_device(inputs, device), targets.to(device)
            with torch.autocast("cuda", dtype=dtype, enabled=dtype is not None):
                loss = nn.functional.cross_entropy(logits_of(model, inputs).float(), targets)
            optimizer.zero_grad(set_to_none=True)
            scaler.scale(loss).backward()
            scaler.step(optimizer)
            scaler.update()
        if device.startswith("cuda"):
            torch.cuda.synchronize()
        times.append(time.perf_counter() - start)
    return times


def engine_epochs(model, dataset, tuner, batch: int, lr: float, device: str, epochs: int):
    """fmstudio's loop; returns seconds per epoch (from its own epoch events)."""
    if args_task(tuner) == "image":
        from fmstudio.core.image.finetune import MEMORY_FORMAT

        model.to(memory_format=MEMORY_FORMAT)
    collate = tuner.collate
    workers = loader_workers(device, tuner.augments)  # as the fine-tune job chooses
    config = LoopConfig("full", epochs, batch, lr, device, patience=0, workers=workers)
    times: list[float] = []
    start = time.perf_counter()

    def on_event(event) -> None:
        nonlocal start
        if type(event).__name__ == "EpochMetrics":
            if device.startswith("cuda"):
                torch.cuda.synchronize()
            now = time.perf_counter()
            times.append(now - start)
            start = now

    run_to_end(fit(model, dataset, None, config, collate=collate), on_event)
    return times


def args_task(tuner) -> str:
    return "image" if type(tuner).__name__ == "ImageFinetuner" else "text"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--task", choices=("image", "text"), default="image")
    parser.add_argument("--per-class", type=int, default=8, help="training examples per class")
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--epochs", type=int, default=2, help="timed epochs per repeat")
    parser.add_argument("--repeats", type=int, default=4)
    parser.add_argument("--device", default="auto")
    parser.add_argument("--no-quality", action="store_true")
    args = parser.parse_args()
    device = resolve_device(args.device)

    if not args.no_quality:
        import subprocess

        subprocess.run(
            [sys.executable, str(Path(__file__).with_name("train_quality.py"))], check=True
        )

    with tempfile.TemporaryDirectory() as tmp:
        tuner, dataset = build(args.task, Path(tmp), device, args.per_class)
        initial = {k: v.clone() for k, v in tuner.model.state_dict().items()}
        lr = 1e-3 if args.task == "image" else 1e-4
        plain, ours = [], []
        pairs = [(plain_epochs, plain), (engine_epochs, ours)]
        for repeat in range(args.repeats):
            # Alternate which loop goes first: this machine's speed drifts over a run.
            for runner, out in pairs if repeat % 2 == 0 else pairs[::-1]:
                tuner.model.load_state_dict(initial)
                times = runner(
                    tuner.model,
                    dataset,
                    tuner,
                    args.batch_size,
                    lr,
                    device,
                    args.epochs + 1,
                )
                out.extend(times[1:])  # the first epoch warms caches and allocators up
    n = len(dataset)
    print(
        f"{args.task}: {n} samples, batch {args.batch_size}, device {device}, "
        f"{'AMP' if autocast_dtype(device) else 'fp32'}"
    )
    report(
        "fmstudio loop",
        n / statistics.median(ours),
        "plain PyTorch loop",
        n / statistics.median(plain),
        "samples/s",
        "fmstudio / plain, higher is better",
    )


if __name__ == "__main__":
    main()
