"""`fmstudio train` under torchrun: two CPU processes (gloo) on this machine, as on a cluster."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from fmstudio.core import paths
from fmstudio.core.library import run_folder

pytestmark = pytest.mark.slow  # spawns the CLI


def torchrun(*args: str, processes: int = 2) -> list[str]:
    return [
        sys.executable,
        "-m",
        "torch.distributed.run",
        "--standalone",
        f"--nproc_per_node={processes}",
        "-m",
        "fmstudio",
        *args,
    ]


def train_args(base: Path, data: Path, output: str, *more: str) -> list[str]:
    return ["train", "image", str(data), "--output", output, "--base", str(base), *more]


def events_of(stdout: str) -> list[dict]:
    return [json.loads(line) for line in stdout.splitlines() if line.startswith("{")]


def run(command: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, capture_output=True, text=True, timeout=300, env=os.environ)


@pytest.mark.parametrize("mode", ["full", "head"])
def test_two_processes_train_one_model_as_well_as_one(
    tiny_image_base: Path, image_folder: Path, mode: str
) -> None:
    more = ("--mode", mode, "--epochs", "6", "--json-progress", "--early-stopping", "0")
    one = run(
        torchrun(*train_args(tiny_image_base, image_folder, f"one-{mode}", *more), processes=1)
    )
    two = run(torchrun(*train_args(tiny_image_base, image_folder, f"two-{mode}", *more)))
    assert one.returncode == 0, one.stderr[-2000:]
    assert two.returncode == 0, two.stderr[-2000:]
    single, double = events_of(one.stdout), events_of(two.stdout)
    saved = [e for e in double if e["event"] == "saved"]
    assert len(saved) == 1, "rank 0 alone reports (and saves)"
    assert saved[0]["folder"] == str(paths.models_dir() / f"two-{mode}")
    assert (paths.models_dir() / f"two-{mode}" / "model.safetensors").is_file()
    assert not run_folder(paths.models_dir() / f"two-{mode}").exists()
    assert abs(saved[0]["accuracy"] - single[-1]["accuracy"]) <= 0.02

    def steps(events: list[dict]) -> int:
        return max(e["steps_total"] for e in events if e["event"] == "stepmetrics")

    assert steps(double) == steps(single), "each process takes half of each batch"
    said = [e["message"] for e in double if e["event"] == "log"]
    assert f"{mode}: 2 processes, each takes 8 examples of every batch of 16" in said


def start_long_run(base: Path, data: Path, output: str, *more: str) -> subprocess.Popen[str]:
    args = train_args(base, data, output, "--mode", "full", "--epochs", "150", *more)
    return subprocess.Popen(
        torchrun(*args, "--early-stopping", "0", "--batch-size", "2"),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def wait_for_checkpoint(output: str, process: subprocess.Popen[str]) -> None:
    checkpoint = run_folder(paths.models_dir() / output) / "checkpoint.pt"
    deadline = time.monotonic() + 120
    while not checkpoint.exists():
        assert process.poll() is None, process.communicate()[1][-2000:]
        assert time.monotonic() < deadline, "no checkpoint after 2 minutes"
        time.sleep(0.05)
    time.sleep(0.5)  # inside a later epoch


def workers_of(process: subprocess.Popen[str]) -> list[int]:
    found = subprocess.run(
        ["pgrep", "-P", str(process.pid)], capture_output=True, text=True
    ).stdout.split()
    return [int(pid) for pid in found]


def test_a_killed_worker_stops_the_job_and_resume_finishes_it(
    tiny_image_base: Path, image_folder: Path
) -> None:
    process = start_long_run(tiny_image_base, image_folder, "killed")
    wait_for_checkpoint("killed", process)
    workers = workers_of(process)
    assert len(workers) == 2, workers
    os.kill(workers[1], signal.SIGKILL)
    process.communicate(timeout=120)
    assert process.returncode != 0
    assert all(not Path(f"/proc/{pid}").exists() for pid in workers), "every process exited"

    more = ("--mode", "full", "--epochs", "150", "--early-stopping", "0", "--batch-size", "2")
    resumed = run(torchrun(*train_args(tiny_image_base, image_folder, "killed", *more), "--resume"))
    assert resumed.returncode == 0, resumed.stderr[-2000:]
    assert "resumed after epoch" in resumed.stderr + resumed.stdout
    assert (paths.models_dir() / "killed" / "model.safetensors").is_file()


def test_sigterm_stops_every_process_and_leaves_a_checkpoint(
    tiny_image_base: Path, image_folder: Path
) -> None:
    process = start_long_run(tiny_image_base, image_folder, "stopped")
    wait_for_checkpoint("stopped", process)
    workers = workers_of(process)
    process.send_signal(signal.SIGTERM)  # what Slurm and Kubernetes send first
    _, stderr = process.communicate(timeout=120)
    assert all(not Path(f"/proc/{pid}").exists() for pid in workers)
    assert "add --resume to continue" in stderr, stderr[-4000:]
    assert (run_folder(paths.models_dir() / "stopped") / "checkpoint.pt").is_file()
    assert not (paths.models_dir() / "stopped").exists(), "nothing half-saved"


def test_speech_trains_on_two_processes(tiny_whisper_base: Path, clip_folder: Path) -> None:
    args = ["train", "speech", str(clip_folder), "--output", "voices", "--base"]
    args += [str(tiny_whisper_base), "--epochs", "2", "--json-progress"]
    done = run(torchrun(*args))
    assert done.returncode == 0, done.stderr[-2000:]
    events = events_of(done.stdout)
    said = [e["message"] for e in events if e["event"] == "log"]
    assert "full: 2 processes, each takes 4 examples of every batch of 8" in said
    assert [e["event"] for e in events].count("saved") == 1
    assert (paths.models_dir() / "voices" / "model.bin").is_file(), "converted for faster-whisper"
    epochs = [e for e in events if e["event"] == "epochmetrics"]
    assert len(epochs) == 2 and all(e["val_wer"] is not None for e in epochs)


def test_text_trains_on_two_processes(tiny_text_base: Path, text_folder: Path) -> None:
    args = ["train", "text", str(text_folder), "--output", "topics", "--base"]
    args += [str(tiny_text_base), "--mode", "full", "--epochs", "3", "--json-progress"]
    one = run(torchrun(*args[:4], "topics-one", *args[5:], processes=1))
    two = run(torchrun(*args))
    assert one.returncode == 0 and two.returncode == 0, two.stderr[-2000:]
    single, double = events_of(one.stdout), events_of(two.stdout)
    assert "full: 2 processes, each takes 8 examples of every batch of 16" in [
        e["message"] for e in double if e["event"] == "log"
    ]
    assert abs(double[-1]["accuracy"] - single[-1]["accuracy"]) <= 0.02
    assert (paths.models_dir() / "topics" / "model.safetensors").is_file()


def test_detection_trains_on_two_processes_with_the_whole_sets_map(tmp_path: Path) -> None:
    from tests.datasets import make_coin_boxes

    data = make_coin_boxes(tmp_path / "coins", train=8, val=4)
    args = ["train", "detect", str(data), "--output", "coins", "--epochs", "1"]
    done = run(torchrun(*args, "--batch-size", "4", "--json-progress"))
    assert done.returncode == 0, done.stderr[-2000:]
    events = events_of(done.stdout)
    said = [e["message"] for e in events if e["event"] == "log"]
    assert "full: 2 processes, each takes 2 examples of every batch of 4" in said
    assert [e["event"] for e in events].count("saved") == 1
    (epoch,) = [e for e in events if e["event"] == "epochmetrics"]
    assert 0 <= epoch["val_map"] <= 1 and epoch["val_map_50"] >= epoch["val_map"]


def test_sounds_train_on_two_processes(tmp_path: Path) -> None:
    """Head mode gathers each process's share of the embeddings; full mode splits batches."""
    from tests.datasets import make_sound_folder

    data = make_sound_folder(tmp_path / "sounds", per_class=4)
    for mode in ("head", "full"):
        args = ["train", "sound", str(data), "--output", f"kinds-{mode}", "--mode", mode]
        done = run(torchrun(*args, "--epochs", "3", "--json-progress"))
        assert done.returncode == 0, done.stderr[-2000:]
        events = events_of(done.stdout)
        assert [e["event"] for e in events].count("saved") == 1
        assert events[-1]["accuracy"] >= 0.5
        assert (paths.models_dir() / f"kinds-{mode}" / "model.safetensors").is_file()
    said = [e["message"] for e in events if e["event"] == "log"]
    assert any(m.startswith("full: 2 processes") for m in said)
