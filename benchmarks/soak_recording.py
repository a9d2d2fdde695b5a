"""Soak: a long recording with live text; does memory settle and nothing leak?

The record job (tiny.en, live text on) records `--minutes` of speech from a source that plays
espeak-ng sentences over and over, as fast as the job takes its blocks (so 30 minutes of audio
take about 20 minutes here: the live passes run every 0.5 s of audio as they would live). At
each minute of audio it prints the process's resident memory (RSS), its threads and its open
file handles; then the final transcription of the whole recording. Printed last: RSS growth
from the end of the warm-up minute to the end of the recording (goal: under 5 %), and the
growth of threads and file handles (goal: 0).

Run: .venv/bin/python benchmarks/soak_recording.py [--minutes 30]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from fmstudio.core import loading

os.environ.setdefault("FMSTUDIO_HOME", tempfile.mkdtemp())
sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np
from soak import open_files, rss_mb

from fmstudio.core.data.audio import SAMPLE_RATE, load_audio
from fmstudio.core.data.microphone import BLOCK_SECONDS
from fmstudio.core.events import Event, run_to_end
from fmstudio.core.speech.events import Level, LiveText
from fmstudio.core.speech.record import record
from fmstudio.core.speech.requests import Record

SENTENCES = (
    "Good morning, this is the long recording test.",
    "We keep talking so that the live text has something to write.",
    "Then we pause for a moment, as people do between thoughts.",
    "Numbers like twelve and names like London come up now and then.",
)


class Looped:
    """An `AudioSource` that plays the same speech again and again for `seconds`."""

    def __init__(self, speech: np.ndarray, seconds: float) -> None:
        self.speech, self.seconds = speech, seconds
        self.sample_rate = SAMPLE_RATE

    def blocks(self, stop: threading.Event) -> Iterator[np.ndarray]:
        size = int(SAMPLE_RATE * BLOCK_SECONDS)
        total = int(self.seconds * SAMPLE_RATE)
        looped = np.tile(self.speech, 2)
        for start in range(0, total, size):
            if stop.is_set():
                return
            at = start % len(self.speech)
            yield looped[at : at + min(size, total - start)]


def make_speech(folder: Path) -> np.ndarray:
    wav = folder / "speech.wav"
    padded = folder / "padded.wav"
    subprocess.run(["espeak-ng", "-s", "150", "-w", str(wav), " ".join(SENTENCES)], check=True)
    subprocess.run(["sox", str(wav), str(padded), "pad", "0", "2.0"], check=True)
    return load_audio(padded)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--minutes", type=float, default=30)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp())
    source = Looped(make_speech(folder), args.minutes * 60)
    model = loading.load("whisper-tiny.en", "speech")
    rows: list[tuple[int, float, int, int]] = []
    passes = 0
    started = time.monotonic()
    print("minute  RSS MB  threads  files  live passes  wall s", flush=True)

    def on_event(event: Event) -> None:
        nonlocal passes
        passes += isinstance(event, LiveText)
        if isinstance(event, Level) and int(event.elapsed_s // 60) > len(rows):
            rows.append((len(rows) + 1, rss_mb(), threading.active_count(), open_files()))
            minute, rss, threads, files = rows[-1]
            wall = time.monotonic() - started
            print(f"{minute:6d}  {rss:6.1f}  {threads:7d}  {files:5d}  {passes:11d}  {wall:6.0f}")

    request = Record(source, model=model, path=folder / "long.wav")
    result = run_to_end(record(request, stop=threading.Event()), on_event)
    words = len(result.transcript.text.split()) if result.transcript else 0
    seconds = len(load_audio(result.path)) / SAMPLE_RATE
    print(f"recorded {seconds / 60:.1f} min; final transcript {words} words")
    print(f"after the final pass: RSS {rss_mb():.1f} MB, {threading.active_count()} threads")
    warm, last = rows[0], rows[-1]
    print(f"threads growth after warm-up: {last[2] - warm[2]}; file handles: {last[3] - warm[3]}")
    print(f"RSS growth after warm-up: {100 * (last[1] - warm[1]) / warm[1]:+.1f} %")


if __name__ == "__main__":
    main()
