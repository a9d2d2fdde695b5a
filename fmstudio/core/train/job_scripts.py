"""The launch scripts and README of a job folder (`job_folder.py`). Both scripts start PyTorch's
own launcher, which runs `fmstudio train --job` once per GPU; fmstudio has no launcher of its
own."""

from __future__ import annotations

import shlex
import shutil
import stat
import sys
from pathlib import Path

from fmstudio import __version__
from fmstudio.core.train.spec import TrainSpec

FIND_PYTHON = """# The interpreter that wrote this job, else PYTHON, else python3 on the PATH.
PYTHON="${{PYTHON:-}}"
[ -n "$PYTHON" ] || {{ [ -x {python} ] && PYTHON={python}; }} || PYTHON=python3
"""

TORCHRUN = """#!/bin/sh
# Train this job on this machine: ./run-torchrun.sh [PROCESSES] [more fmstudio train options]
# PROCESSES defaults to one per GPU (nvidia-smi), else 1. PYTHON picks the interpreter.
set -e
cd "$(dirname "$0")"
{find_python}N="${{1:-}}"
[ $# -gt 0 ] && shift
[ -n "$N" ] || N=$(nvidia-smi -L 2>/dev/null | wc -l)
[ "$N" -ge 1 ] 2>/dev/null || N=1
exec "$PYTHON" -m torch.distributed.run --standalone --nproc_per_node="$N" \\
    -m fmstudio train --job . "$@"
"""

SLURM = """#!/bin/bash
# Submit from this folder; what to ask for goes on the submit line, nothing is fixed here:
#   sbatch --gpus-per-node=4 [--nodes=N] run-slurm.sbatch        one process per GPU
#   sbatch --ntasks-per-node=2 --cpus-per-task=1 run-slurm.sbatch  two CPU processes a node
# Each node runs one torchrun agent; the first node hosts the rendezvous on a free port.
#SBATCH --job-name=fmstudio-{name}
#SBATCH --time=08:00:00
set -euo pipefail
cd "${{SLURM_SUBMIT_DIR:-$(dirname "$0")}}"
{find_python}if [ -n "${{SLURM_GPUS_ON_NODE:-}}" ]; then
    PER_NODE="$SLURM_GPUS_ON_NODE"
else
    PER_NODE="${{SLURM_NTASKS_PER_NODE:-1}}"
fi
PER_NODE="${{PER_NODE%%(*}}"  # "2(x3)" when nodes differ: the first node's count
HEAD=$(scontrol show hostnames "$SLURM_JOB_NODELIST" | head -n 1)
PORT=$("$PYTHON" -c 'import socket; s=socket.socket(); s.bind(("",0)); print(s.getsockname()[1])')
srun --nodes="$SLURM_NNODES" --ntasks-per-node=1 --ntasks="$SLURM_NNODES" \\
    --cpus-per-task="${{SLURM_CPUS_ON_NODE:-1}}" --overlap \\
    "$PYTHON" -m torch.distributed.run \\
    --nnodes="$SLURM_NNODES" --nproc_per_node="$PER_NODE" \\
    --rdzv_id="$SLURM_JOB_ID" --rdzv_backend=c10d --rdzv_endpoint="$HEAD:$PORT" \\
    -m fmstudio train --job "$PWD" "$@"
"""

README = """# fmstudio training job: {name}

A {task} model ({mode} mode, base `{base}`) to train where the GPUs are, with the same job the
fmstudio window runs. It needs Python with fmstudio {version} installed: the scripts use the
interpreter that wrote this job where it exists ({python}), else `PYTHON`, else `python3`.
Elsewhere, install the same release first: `pip install fmstudio-{version}-py3-none-any.whl`
(the wheel `make dist` builds in fmstudio's repository{wheel_note}). The base model must be
there too if it is not bundled.

- `spec.json`: every training setting (the wizard's or `fmstudio train`'s).
- `manifest.csv`: every data file, its class and sha256. `fmstudio train --job .` checks them
  all before anything loads: a changed or missing file stops it with the file's name.
- {data_line}

Run it:

```sh
./run-torchrun.sh            # one process per GPU on this machine (1 on a CPU)
./run-torchrun.sh 4          # four processes
sbatch --gpus-per-node=4 run-slurm.sbatch     # on a Slurm cluster (add --nodes=N)
sbatch --ntasks-per-node=2 run-slurm.sbatch   # a CPU partition: two processes a node
fmstudio train --job .       # one process, no torchrun
```

The batch size ({batch}) is the whole job's: N processes each take 1/N of every batch, so they
train to the model one process would. A stopped run (Ctrl+C, a scheduler's SIGTERM, a lost
node) keeps its last finished epoch: run again with `--resume`. The model is saved in
`models/{name}/`; copy that folder into fmstudio's models folder (`fmstudio models` lists
them) or open it by its path.
"""


def write(folder: Path, spec: TrainSpec) -> None:
    """The scripts (executable) and the README of a job folder."""
    name = Path(spec.output).name
    find_python = FIND_PYTHON.format(python=shlex.quote(sys.executable))
    for file, text in (
        ("run-torchrun.sh", TORCHRUN.format(find_python=find_python)),
        ("run-slurm.sbatch", SLURM.format(name=name, find_python=find_python)),
    ):
        path = folder / file
        path.write_text(text, encoding="utf-8")
        path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    wheel = carried_wheel(folder)
    copied = not Path(spec.data).is_absolute()
    data_line = (
        "`data/`: the dataset, as it was scanned."
        if copied
        else f"The dataset is not copied: it must stay at `{spec.data}`."
    )
    (folder / "README.md").write_text(
        README.format(
            name=name,
            task=spec.task,
            mode=spec.mode,
            base=spec.base or "bundled",
            data_line=data_line,
            batch=spec.batch_size,
            version=__version__,
            python=sys.executable,
            wheel_note=f"; a copy is in this folder: `{wheel.name}`" if wheel else "",
        ),
        encoding="utf-8",
    )


def carried_wheel(folder: Path) -> Path | None:
    """This release's wheel, copied into the job folder where one was built beside the
    source (`make dist`): the cluster installs exactly what wrote the job."""
    built = (
        Path(__file__).resolve().parents[3] / "dist" / f"fmstudio-{__version__}-py3-none-any.whl"
    )
    if not built.is_file():
        return None
    shutil.copy2(built, folder / built.name)
    return folder / built.name
