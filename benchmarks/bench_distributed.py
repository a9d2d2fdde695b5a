"""`fmstudio train` under torchrun: 1 process against N, on the same data, model and batch.

Full fine-tuning of the bundled EfficientNet-Lite0 on scikit-learn's digits (as JPEG folders,
`--per-class` training images per class), launched as a user launches it:
`python -m torch.distributed.run --standalone --nproc_per_node=N -m fmstudio train image ...`.
Throughput is the training set over the median epoch time of the "full" phase (from the JSON
progress events), for the whole job and per process; the validation accuracy of each run shows
that N processes learn what one does. The ratio (N processes / 1, total samples/s) is last.
`--against-plain` times a torchrun of one process against a plain `fmstudio train` instead.

On a CPU, torchrun gives each process one thread (OMP_NUM_THREADS=1) where one process alone
uses every core; on GPUs (`--device cuda`) each process takes its own GPU.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import report
from _datasets import digits

from fmstudio.core.classify.scan import scan


def train(data: Path, processes: int, args: argparse.Namespace) -> tuple[float, float]:
    """Samples/s of the whole job and its validation accuracy; 0 processes: a plain
    `fmstudio train`, without torchrun."""
    home = tempfile.mkdtemp()
    launcher = ["-m", "torch.distributed.run", "--standalone", f"--nproc_per_node={processes}"]
    command = [
        sys.executable,
        *(launcher if processes else []),
        "-m",
        "fmstudio",
        "train",
        "image",
        str(data),
        "--output",
        f"bench-{processes}",
        "--mode",
        "full",
        "--epochs",
        str(args.epochs),
        "--early-stopping",
        "0",
        "--batch-size",
        str(args.batch_size),
        "--device",
        args.device,
        "--json-progress",
    ]
    env = {**os.environ, "FMSTUDIO_HOME": home}
    if args.against_plain:  # torchrun would give its one process one thread
        env["OMP_NUM_THREADS"] = str(os.cpu_count())
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    if done.returncode:
        raise SystemExit(done.stderr[-3000:])
    events = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    epochs = [e for e in events if e["event"] == "epochmetrics" and e["phase"] == "full"]
    seconds = statistics.median(e["seconds"] for e in epochs[1:])  # the first warms up
    return len(scan(data, "image").train) / seconds, events[-1]["accuracy"]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--per-class", type=int, default=12)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--device", default="cpu")
    parser.add_argument(
        "--against-plain",
        action="store_true",
        help="time a torchrun of one process against a plain run (every core for both)",
    )
    args = parser.parse_args()
    train_dir, _ = digits(Path(tempfile.mkdtemp()), args.per_class, 0)
    if args.against_plain:
        runs = {"plain": 0.0, "torchrun": 0.0}
        for name, processes in (("plain", 0), ("torchrun", 1)) * 2:  # taking turns
            runs[name] = max(runs[name], train(train_dir, processes, args)[0])
        print("best of 2 runs each, every core for both")
        report(
            "torchrun, 1 process",
            runs["torchrun"],
            "plain",
            runs["plain"],
            "samples/s",
            "torchrun of one / plain, goal >= 0.95",
        )
        return
    one, one_accuracy = train(train_dir, 1, args)
    print(f"1 process: {one:.1f} samples/s, validation accuracy {one_accuracy:.1%}")
    if args.processes > 1:
        many, many_accuracy = train(train_dir, args.processes, args)
        print(
            f"{args.processes} processes: {many:.1f} samples/s in all, "
            f"{many / args.processes:.1f} per process, validation accuracy {many_accuracy:.1%}"
        )
        report(
            f"{args.processes} processes",
            many,
            "1 process",
            one,
            "samples/s",
            f"{args.processes} processes / 1",
        )


if __name__ == "__main__":
    main()
