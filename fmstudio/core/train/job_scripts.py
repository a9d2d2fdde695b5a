"""The launch scripts and README of a job folder (`job_folder.py`). Both scripts start PyTorch's
own launcher, which runs `fmstudio train --job` once per GPU; fmstudio has no launcher of its
own."""

from __future__ import annotations

import stat
from pathlib import Path

from fmstudio.core.train.spec import TrainSpec

TORCHRUN = """#!/bin/sh
# Train this job on this machine: ./run-torchrun.sh [PROCESSES] [more fmstudio train options]
# PROCESSES defaults to one per GPU (nvidia-smi), else 1. PYTHON picks the interpreter.
set -e
cd "$(dirname "$0")"
N="${1:-}"
[ $# -gt 0 ] && shift
[ -n "$N" ] || N=$(nvidia-smi -L 2>/dev/null | wc -l)
[ "$N" -ge 1 ] 2>/dev/null || N=1
exec "${PYTHON:-python3}" -m torch.distributed.run --standalone --nproc_per_node="$N" \\
    -m fmstudio train --job . "$@"
"""

SLURM = """#!/bin/bash
# Submit from this folder: sbatch [--nodes=N] [--gpus-per-node=G] run-slurm.sbatch
# Every node runs torchrun with one process per GPU; the first node hosts the rendezvous.
#SBATCH --job-name=fmstudio-{name}
#SBATCH --nodes=1
#SBATCH --ntasks-per-node=1
#SBATCH --gpus-per-node=1
#SBATCH --cpus-per-task=8
#SBATCH --time=08:00:00
set -euo pipefail
cd "${{SLURM_SUBMIT_DIR:-$(dirname "$0")}}"
GPUS="${{SLURM_GPUS_ON_NODE:-1}}"
HEAD=$(scontrol show hostnames "$SLURM_JOB_NODELIST" | head -n 1)
srun "${{PYTHON:-python3}}" -m torch.distributed.run \\
    --nnodes="$SLURM_NNODES" --nproc_per_node="$GPUS" \\
    --rdzv_id="$SLURM_JOB_ID" --rdzv_backend=c10d --rdzv_endpoint="$HEAD:29500" \\
    -m fmstudio train --job "$PWD" "$@"
"""

README = """# fmstudio training job: {name}

A {task} model ({mode} mode, base `{base}`) to train where the GPUs are, with the same job the
fmstudio window runs. It needs Python with fmstudio installed (`pip install fmstudio`, or the
project's `make setup`), and the base model if it is not bundled.

- `spec.json`: every training setting (the wizard's or `fmstudio train`'s).
- `manifest.csv`: every data file, its class and sha256. `fmstudio train --job .` checks them
  all before anything loads: a changed or missing file stops it with the file's name.
- {data_line}

Run it:

```sh
./run-torchrun.sh            # one process per GPU on this machine (1 on a CPU)
./run-torchrun.sh 4          # four processes
sbatch --gpus-per-node=4 run-slurm.sbatch     # on a Slurm cluster (add --nodes=N)
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
    for file, text in (
        ("run-torchrun.sh", TORCHRUN),
        ("run-slurm.sbatch", SLURM.format(name=name)),
    ):
        path = folder / file
        path.write_text(text, encoding="utf-8")
        path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
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
        ),
        encoding="utf-8",
    )
