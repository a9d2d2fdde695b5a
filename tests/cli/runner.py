"""How the CLI tests run fmstudio: as a user does, in a fresh interpreter."""

from __future__ import annotations

import os
import subprocess
import sys


def command(*args: str) -> list[str]:
    """The command line that runs `fmstudio ARGS` with this interpreter."""
    return [sys.executable, "-m", "fmstudio", *args]


def fmstudio(
    *args: str, env: dict[str, str] | None = None, timeout: int = 120
) -> subprocess.CompletedProcess[str]:
    """Run `fmstudio ARGS` to the end and capture its output."""
    full_env = {**os.environ, **(env or {})}
    return subprocess.run(
        command(*args), capture_output=True, text=True, env=full_env, timeout=timeout
    )


def run(*args: str) -> subprocess.CompletedProcess[str]:
    """`fmstudio ARGS` with the time a training run needs."""
    return fmstudio(*args, timeout=300)
