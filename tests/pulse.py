"""A real PulseAudio sound server for the tests, private to them: its own runtime folder, a
null sink "speakers" (the computer's output: what plays there is system audio) and a
microphone fed by a second null sink, so a test plays a file "into the microphone" and
another "on the speakers" and records both through parec, as on a desktop."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

NEEDED = ("pulseaudio", "pactl", "parec", "paplay")
SPEAKERS, MIC_FEED, MIC = "speakers", "micfeed", "mic"


def missing() -> str:
    """Why no PulseAudio can start here, or ""."""
    absent = [tool for tool in NEEDED if shutil.which(tool) is None]
    if absent:
        return f"{', '.join(absent)} not installed (apt-get install pulseaudio pulseaudio-utils)"
    return ""


@contextmanager
def server(root: Path) -> Iterator[dict[str, str]]:
    """Start the server; the environment that reaches it (PULSE_SERVER), while it runs."""
    runtime = root / "pulse"
    runtime.mkdir(parents=True)
    env = {**os.environ, "XDG_RUNTIME_DIR": str(root), "PULSE_RUNTIME_PATH": str(runtime)}
    modules = [
        "module-native-protocol-unix",
        f"module-null-sink sink_name={SPEAKERS} sink_properties=device.description=Speakers",
        f"module-null-sink sink_name={MIC_FEED} sink_properties=device.description=Feed",
        f"module-remap-source master={MIC_FEED}.monitor source_name={MIC} "
        "source_properties=device.description=Microphone",
    ]
    command = ["pulseaudio", "--daemonize=yes", "-n", "--exit-idle-time=-1", "--system=false"]
    subprocess.run([*command, *(f"--load={m}" for m in modules)], env=env, check=True, timeout=30)
    reach = {"PULSE_SERVER": f"unix:{runtime / 'native'}"}
    try:
        subprocess.run(["pactl", "set-default-source", MIC], env={**env, **reach}, check=True)
        yield reach
    finally:
        subprocess.run(["pactl", "exit"], env={**env, **reach}, timeout=10, check=False)
        time.sleep(0.2)


def play(path: Path, sink: str, env: dict[str, str]) -> subprocess.Popen[bytes]:
    """Play a file on a sink of the test server (not waited for)."""
    return subprocess.Popen(["paplay", "-d", sink, str(path)], env={**os.environ, **env})
