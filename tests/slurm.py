"""A real single-node Slurm for the tests: Debian's slurm-wlm and munge, run as root from a
temporary folder (its own config, state and ports), stopped afterwards."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

NEEDED = ("munge", "munged", "slurmctld", "slurmd", "sbatch", "sinfo")


def missing() -> str:
    """Why no Slurm can start here, or ""."""
    absent = [tool for tool in NEEDED if shutil.which(tool) is None]
    if absent:
        return f"{', '.join(absent)} not installed (apt-get install slurm-wlm munge)"
    if os.geteuid() != 0:
        return "starting slurmd needs root"
    return ""


def _config(root: Path, ports: tuple[int, int]) -> str:
    host = socket.gethostname()
    return "\n".join(
        [
            "ClusterName=fmstudio-test",
            f"SlurmctldHost={host}",
            "SlurmUser=root",
            "SlurmdUser=root",
            "AuthType=auth/munge",
            f"StateSaveLocation={root}/state",
            f"SlurmdSpoolDir={root}/spool",
            f"SlurmctldPidFile={root}/slurmctld.pid",
            f"SlurmdPidFile={root}/slurmd.pid",
            f"SlurmctldLogFile={root}/slurmctld.log",
            f"SlurmdLogFile={root}/slurmd.log",
            f"SlurmctldPort={ports[0]}",
            f"SlurmdPort={ports[1]}",
            "ProctrackType=proctrack/linuxproc",
            "TaskPlugin=task/none",
            "SelectType=select/cons_tres",
            "SelectTypeParameters=CR_CPU",
            "ReturnToService=2",
            "MpiDefault=none",
            f"NodeName={host} CPUs={os.cpu_count() or 1} State=UNKNOWN",
            f"PartitionName=cpu Nodes={host} Default=YES MaxTime=INFINITE State=UP",
            "",
        ]
    )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("", 0))
        return int(s.getsockname()[1])


def _munge_answers() -> bool:
    """A socket file alone proves nothing: one left by a munged that has since ended refuses."""
    probe = subprocess.run(["munge", "-n"], capture_output=True, timeout=10, check=False)
    return probe.returncode == 0


def _start_munge() -> None:
    if _munge_answers():
        return
    Path("/run/munge").mkdir(parents=True, exist_ok=True)
    shutil.chown("/run/munge", "munge", "munge")
    if not Path("/etc/munge/munge.key").exists():
        subprocess.run(["mungekey", "--create"], check=True)
    subprocess.run(["munged", "--force"], check=True, capture_output=True)


@contextmanager
def cluster(root: Path) -> Iterator[dict[str, str]]:
    """A running single-node cluster; yields the environment that talks to it."""
    for folder in ("state", "spool"):
        (root / folder).mkdir(parents=True, exist_ok=True)
    conf = root / "slurm.conf"
    conf.write_text(_config(root, (_free_port(), _free_port())))
    env = {**os.environ, "SLURM_CONF": str(conf)}
    _start_munge()
    subprocess.run(["slurmctld", "-f", str(conf)], check=True, env=env)
    subprocess.run(["slurmd", "-f", str(conf)], check=True, env=env)
    try:
        _wait_idle(env, root)
        yield env
    finally:
        for daemon in ("slurmd", "slurmctld"):
            pid = root / f"{daemon}.pid"
            if pid.is_file():
                subprocess.run(["kill", pid.read_text().strip()], check=False)


def _wait_idle(env: dict[str, str], root: Path, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = subprocess.run(
            ["sinfo", "-h", "-o", "%T"], env=env, capture_output=True, text=True
        ).stdout.strip()
        if state == "idle":
            return
        time.sleep(0.5)
    log = (root / "slurmctld.log").read_text()[-2000:]
    raise RuntimeError(f"Slurm did not come up: {state!r}\n{log}")
