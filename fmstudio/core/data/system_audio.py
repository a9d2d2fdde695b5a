"""The computer's own sound as an input: PulseAudio's monitor sources (PipeWire's too, through
pipewire-pulse), and "microphone + system" mixed into one recording (a call: you and them).

PortAudio lists ALSA's "pulse" and "default" devices, never Pulse's sources, so the monitors
are found with `pactl` and read with `parec` (Debian's pulseaudio-utils, on most Linux
desktops), as 16 kHz mono float32: the rate Whisper hears, so no resampling is needed. Other
systems get what PortAudio lists (a WASAPI loopback input where the PortAudio build has one)
and a plain line about what is missing.
"""

from __future__ import annotations

import os
import queue
import select
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

    from fmstudio.core.data.sources import AudioSource

RATE = 16_000
BLOCK = RATE // 10
"""Samples per block (0.1 s, as the microphone's)."""
SYSTEM = "system:"
MIXED = "mix:"
"""Input ids beside PortAudio's device numbers: `system:<source>` records a monitor,
`mix:<source>` the default microphone and that monitor together."""


@dataclass(frozen=True)
class Monitor:
    source: str
    """Pulse's name for it (`….monitor`)."""
    description: str
    """What the sound settings call it ("Monitor of Built-in Audio Analog Stereo")."""

    @property
    def label(self) -> str:
        shown = self.description.removeprefix("Monitor of ").strip() or self.source
        return f"System audio ({shown})"


def _pactl(*args: str) -> str:
    """pactl's output, "" when it is missing or the sound server does not answer."""
    if shutil.which("pactl") is None:
        return ""
    try:
        done = subprocess.run(
            ["pactl", *args], capture_output=True, text=True, timeout=5, check=True
        )
    except (OSError, subprocess.SubprocessError):
        return ""
    return done.stdout


def monitors() -> list[Monitor]:
    """The sound server's monitor sources, one per output (speakers, headphones, HDMI…)."""
    found: list[Monitor] = []
    name = ""
    for line in _pactl("list", "sources").splitlines():
        key, _, value = line.strip().partition(": ")
        if key == "Name":
            name = value.strip()
        elif key == "Description" and name.endswith(".monitor"):
            found.append(Monitor(name, value.strip()))
    return found


def default_source() -> str:
    """The microphone the sound server records from by default ("" when none is known)."""
    for line in _pactl("info").splitlines():
        key, _, value = line.partition(": ")
        if key.strip() == "Default Source":
            return value.strip()
    return ""


def system_inputs() -> tuple[list[tuple[str, str]], str | None]:
    """(input id, name) of each way to record the computer's sound, and a line saying what
    is missing when there is none."""
    if not sys.platform.startswith("linux"):
        return [], (
            "System audio: fmstudio records it on Linux (PulseAudio or PipeWire). Here, pick "
            "a loopback input if the list has one (Windows WASAPI loopback, or a virtual "
            "device such as BlackHole on macOS)."
        )
    if shutil.which("parec") is None or shutil.which("pactl") is None:
        return [], "System audio needs pactl and parec: apt-get install pulseaudio-utils"
    found = monitors()
    if not found:
        return [], "System audio: the sound server lists no output to record from"
    inputs = [(SYSTEM + m.source, m.label) for m in found]
    mic = default_source()
    if mic and not mic.endswith(".monitor"):
        inputs += [(MIXED + m.source, f"Microphone + {m.label}") for m in found]
    return inputs, None


QUIET_S = 0.3
"""A monitor sends nothing while nothing plays (its output is suspended); after this long
without data, the time since the last data is recorded as silence (never more than passed,
so the recording is at most this much shorter than the clock at each pause)."""


class ParecSource:
    """A Pulse source read by `parec` as 16 kHz mono float32 blocks, silence included: the
    recording keeps time with the clock, so pauses in a call are pauses in its transcript."""

    sample_rate = RATE

    def __init__(self, source: str) -> None:
        self.source = source

    def blocks(self, stop: threading.Event) -> Iterator[np.ndarray]:
        command = [
            "parec",
            f"--device={self.source}",
            "--format=float32le",
            f"--rate={RATE}",
            "--channels=1",
            "--raw",
            "--latency-msec=100",
        ]
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        pending: queue.Queue[np.ndarray | None] = queue.Queue()
        done = threading.Event()
        pump = threading.Thread(
            target=_pump, args=(process, pending, done), name="parec", daemon=True
        )
        pump.start()
        try:
            while not stop.is_set() or not pending.empty():  # what came before Stop is kept
                try:
                    block = pending.get(timeout=0.2)
                except queue.Empty:
                    continue
                if block is None:  # parec ended: the source went away
                    raise OSError(f"{self.source} stopped: {_stderr(process)}")
                yield block
                if stop.is_set():
                    done.set()  # read no more; drain what the pump queued
        finally:
            done.set()
            process.terminate()
            process.wait(timeout=5)
            pump.join(timeout=5)


def _pump(
    process: subprocess.Popen[bytes], pending: queue.Queue[np.ndarray | None], done: threading.Event
) -> None:
    """parec's samples into `pending` as they come, and silence where the server sends none
    for QUIET_S (it sends nothing for an output that plays nothing), in the order they
    happen."""
    import numpy as np

    assert process.stdout is not None
    pipe = process.stdout.fileno()
    last, filled, partial = time.monotonic(), 0, b""
    while not done.is_set():
        ready, _, _ = select.select([pipe], [], [], BLOCK / RATE)
        if not ready:
            owed = int((time.monotonic() - last - QUIET_S) * RATE) - filled
            if owed >= BLOCK:
                filled += owed
                pending.put(np.zeros(owed, dtype=np.float32))
            continue
        data = os.read(pipe, BLOCK * 4)
        if not data:
            pending.put(None)
            return
        last, filled = time.monotonic(), 0
        partial += data
        whole = len(partial) // 4 * 4
        pending.put(np.frombuffer(partial[:whole], dtype="<f4").copy())
        partial = partial[whole:]


def _stderr(process: subprocess.Popen[bytes]) -> str:
    process.terminate()
    _, err = process.communicate(timeout=5)
    return err.decode(errors="replace").strip() or f"parec exited with {process.returncode}"


class MixedSource:
    """Two sources at one rate as one: the first sets the pace, the second is added in as
    far as it has samples (silence where it has none yet), clipped to full scale."""

    def __init__(self, lead: AudioSource, other: AudioSource) -> None:
        self.lead, self.other = lead, other
        self.sample_rate = lead.sample_rate

    def blocks(self, stop: threading.Event) -> Iterator[np.ndarray]:
        import numpy as np

        pending: queue.Queue[np.ndarray] = queue.Queue()
        inner = threading.Event()
        feeder = threading.Thread(target=self._feed, args=(inner, pending), name="mix", daemon=True)
        feeder.start()
        held = np.zeros(0, dtype=np.float32)
        try:
            for block in self.lead.blocks(stop):
                while not pending.empty():
                    held = np.concatenate([held, pending.get_nowait()])
                take = held[: len(block)]
                held = held[len(take) :]
                mixed = block.copy()
                mixed[: len(take)] += take
                yield np.clip(mixed, -1.0, 1.0)
        finally:
            inner.set()
            feeder.join(timeout=5)

    def _feed(self, stop: threading.Event, pending: queue.Queue[np.ndarray]) -> None:
        """The second source's blocks into `pending`; if it fails, the lead goes on alone."""
        try:
            for block in self.other.blocks(stop):
                pending.put(block)
        except OSError:
            return
