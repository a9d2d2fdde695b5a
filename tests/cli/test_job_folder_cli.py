"""A training job as a folder: export it, run it with its own script, refuse changed data."""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from fmstudio.core import catalog, loading, paths

pytestmark = pytest.mark.slow  # spawns the CLI


def fmstudio(*args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "fmstudio", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=300)


@pytest.fixture
def job(tiny_image_base: Path, image_folder: Path, tmp_path: Path) -> Path:
    data = tmp_path / "colours"
    shutil.copytree(image_folder, data)
    folder = tmp_path / "colours-job"
    out = fmstudio(
        "train",
        "image",
        str(data),
        "--output",
        "colours",
        "--base",
        str(tiny_image_base),
        "--mode",
        "head",
        "--epochs",
        "8",
        "--export-job",
        str(folder),
    )
    assert out.returncode == 0, out.stderr
    return folder


def test_the_job_folder_holds_spec_data_manifest_and_scripts(job: Path) -> None:
    names = sorted(p.name for p in job.iterdir() if p.suffix != ".whl")
    wheels = [p.name for p in job.glob("*.whl")]  # carried where `make dist` built one
    assert all(w in (job / "README.md").read_text() for w in wheels)
    assert names == [
        "README.md",
        "data",
        "manifest.csv",
        "run-slurm.sbatch",
        "run-torchrun.sh",
        "spec.json",
    ]
    spec = json.loads((job / "spec.json").read_text())
    assert spec["data"] == "data" and spec["task"] == "image" and spec["mode"] == "head"
    assert spec["device"] == "auto", "the job picks its device where it runs"
    with open(job / "manifest.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    files = [p for p in (job / "data").rglob("*") if p.is_file()]
    assert len(rows) == len(files) > 0
    assert {r["label"] for r in rows} == {"blue", "red"}
    assert all(len(r["sha256"]) == 64 and (job / "data" / r["path"]).is_file() for r in rows)
    for script, shell in (("run-torchrun.sh", "sh"), ("run-slurm.sbatch", "bash")):
        assert os.access(job / script, os.X_OK)
        assert subprocess.run([shell, "-n", str(job / script)]).returncode == 0
    assert "sbatch --gpus-per-node=4 run-slurm.sbatch" in (job / "README.md").read_text()
    assert not list(job.parent.glob(".colours-job*")), "no staging or temp folder left"


def test_the_job_runs_with_its_own_script_and_its_model_imports(job: Path) -> None:
    env = {**os.environ, "PYTHON": sys.executable}
    done = subprocess.run(
        [str(job / "run-torchrun.sh"), "2", "--json-progress"],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    saved = json.loads(done.stdout.splitlines()[-1])
    model = job / "models" / "colours"
    assert saved["folder"] == str(model) and saved["accuracy"] >= 0.9
    shutil.copytree(model, paths.models_dir() / "colours-from-cluster")
    assert "colours-from-cluster" in [e.name for e in catalog.list_models("image")]
    assert loading.load("colours-from-cluster", "image").labels == ["blue", "red"]


def test_changed_or_missing_data_is_refused_by_name(job: Path) -> None:
    first = sorted((job / "data").rglob("*.png"))[0]
    first.write_bytes(first.read_bytes() + b"\0")
    out = fmstudio("train", "--job", str(job))
    assert out.returncode == 1 and f"{first} has changed" in out.stderr
    first.unlink()
    out = fmstudio("train", "--job", str(job))
    assert out.returncode == 1 and f"{first} is missing" in out.stderr
    assert not (job / "models").exists()


def test_referenced_data_stays_where_it_is(image_folder: Path, tmp_path: Path) -> None:
    folder = tmp_path / "by-reference"
    out = fmstudio(
        "train",
        "image",
        str(image_folder),
        "--output",
        "x",
        "--export-job",
        str(folder),
        "--reference-data",
    )
    assert out.returncode == 0, out.stderr
    assert not (folder / "data").exists()
    assert json.loads((folder / "spec.json").read_text())["data"] == str(image_folder.resolve())
    assert "must stay at" in (folder / "README.md").read_text()


def test_bad_exports_are_refused(image_folder: Path, tmp_path: Path) -> None:
    inside = fmstudio(
        "train",
        "image",
        str(image_folder),
        "--output",
        "x",
        "--export-job",
        str(image_folder / "job"),
    )
    assert inside.returncode == 1 and "cannot be inside the data" in inside.stderr
    one_class = tmp_path / "one"
    shutil.copytree(image_folder / "red", one_class / "red")
    refused = fmstudio(
        "train", "image", str(one_class), "--output", "x", "--export-job", str(tmp_path / "j")
    )
    assert refused.returncode == 1 and "cannot be used" in refused.stderr
    assert not (tmp_path / "j").exists()
    assert fmstudio("train", "--job", str(tmp_path)).returncode == 1


def test_the_job_runs_on_a_real_slurm_as_two_cpu_processes(job: Path, tmp_path: Path) -> None:
    """The sbatch script asked for a GPU and 8 CPUs (refused, then pending for ever on this
    2-CPU node) and two tasks a node started two torchrun agents on one port."""
    from tests import slurm

    why = slurm.missing()
    if why:
        pytest.skip(f"no Slurm here: {why}")
    with slurm.cluster(tmp_path / "slurm") as env:
        submitted = subprocess.run(
            [
                "sbatch",
                "--wait",
                "--ntasks-per-node=2",
                "--cpus-per-task=1",
                "--output",
                str(tmp_path / "job.out"),
                str(job / "run-slurm.sbatch"),
                "--json-progress",
            ],
            cwd=job,
            env={k: v for k, v in env.items() if k != "PYTHON"},
            capture_output=True,
            text=True,
            timeout=600,
        )
    out = (tmp_path / "job.out").read_text()
    assert submitted.returncode == 0, submitted.stderr + out[-3000:]
    saved = json.loads([line for line in out.splitlines() if '"saved"' in line][-1])
    assert saved["folder"] == str(job / "models" / "colours")
    assert "2 processes, each takes" in out, out[-3000:]
    assert loading.load(saved["folder"], "image").labels == ["blue", "red"]
