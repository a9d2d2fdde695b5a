"""How long closing the window takes while a job runs (issue 16: answer at once, done in ~2 s).

For each job, a fresh main window (offscreen) starts it on a job controller of its own, waits a
random 0.5-3 s (seeded) so the close lands anywhere in a step, and times `close()`: from the
click to the window gone, every job stopped. The jobs: transcription of a 5-minute file (the
batched pipeline, 3 pieces a batch on a CPU), of four 50 s files (sequential windows), recording
with live text, image and text classification, head-mode fine-tuning. Printed: the median and
the worst close of each.

Against: the plain faster-whisper loop over the same 5-minute file, stopped by a flag that the
loop checks between segments, as a script would (the time from the flag to the loop's end).
Ratio last: fmstudio's worst close during long-file transcription / the plain loop's worst stop.

Run: .venv/bin/python benchmarks/close_latency.py [--trials 5]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING

from fmstudio.core import loading

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("FMSTUDIO_HOME", tempfile.mkdtemp())
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import report
from bench_gui_responsiveness import (
    Job,
    image_classify_job,
    make_classes,
    make_images,
    record_job,
    text_classify_job,
    train_job,
)
from bench_transcribe import make_recording

from fmstudio.core import catalog
from fmstudio.core.data.audio import load_audio
from fmstudio.core.devices import resolve_device
from fmstudio.core.speech.requests import Transcribe
from fmstudio.core.speech.transcribe import transcribe_files

if TYPE_CHECKING:
    from fmstudio.ui.main_window import MainWindow


def transcribe(*paths: Path) -> Job:
    return lambda cancel: transcribe_files(Transcribe(tuple(map(str, paths))), cancel=cancel)


def close_while(job: Job, delay: float) -> float:
    """Seconds `close()` took with `job` running for `delay` seconds on a job controller of the
    window's own (a tab's would also show the job's results)."""
    from PySide6.QtCore import QEventLoop
    from PySide6.QtWidgets import QApplication

    from fmstudio.ui.jobs import JobController

    window = _window()
    jobs = JobController(window)
    jobs.start(job, "Working…")
    until = time.monotonic() + delay
    while time.monotonic() < until:
        QApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)
        time.sleep(0.005)
    assert jobs.is_busy(), "the job ended before the close"
    start = time.perf_counter()
    window.close()
    took = time.perf_counter() - start
    assert not jobs.is_busy()
    window.deleteLater()
    return took


def _window() -> MainWindow:
    """A shown main window that knows its device (Qt is imported only once the recordings
    are made: see `_datasets.docstring_sentences`)."""
    from fmstudio.ui.app import create_app
    from fmstudio.ui.main_window import MainWindow

    app = create_app()
    window = MainWindow()
    window.show()
    while not window.device_known():
        app.processEvents()
    return window


def plain_stop(path: Path, delay: float) -> float:
    """Seconds a plain faster-whisper loop takes to end after its stop flag is set."""
    model = loading.cached_load("whisper-tiny.en", "speech").model
    stop = threading.Event()
    stopped_at = 0.0

    def press_stop() -> None:
        nonlocal stopped_at
        stopped_at = time.perf_counter()
        stop.set()

    segments, _info = model.transcribe(load_audio(path), beam_size=5)
    timer = threading.Timer(delay, press_stop)
    timer.start()
    for _segment in segments:
        if stop.is_set():
            break
    return time.perf_counter() - stopped_at


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--trials", type=int, default=5)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp())
    long_file, _ = make_recording(folder, 300, seed=1)
    short_files = [make_recording(folder, 50, seed=seed)[0] for seed in (2, 3, 4, 5)]
    jobs: dict[str, Job] = {
        "transcribe a 5-minute file": transcribe(long_file),
        "transcribe four 50 s files (sequential)": transcribe(*short_files),
        "record with live text": record_job(),
        "image classify (400 images)": image_classify_job(make_images(400)),
        "text classify (4000 documents)": text_classify_job(4000),
        "fine-tune, head mode": train_job(make_classes(16), epochs=400),
    }
    for task in ("speech", "image", "text"):  # loading is no step: the closes time steps
        loading.cached_load(catalog.default_model(task), task, resolve_device("auto"))
    delays = random.Random(0)
    worst_long = 0.0
    for name, job in jobs.items():
        closes = [close_while(job, delays.uniform(0.5, 3.0)) for _ in range(args.trials)]
        print(f"{name}: close median {statistics.median(closes):.2f} s, worst {max(closes):.2f} s")
        if name.startswith("transcribe a 5"):
            worst_long = max(closes)
    stops = [plain_stop(long_file, delays.uniform(0.5, 3.0)) for _ in range(args.trials)]
    print(f"plain faster-whisper loop: stop median {statistics.median(stops):.2f} s")
    report(
        "fmstudio, worst close during a 5-minute transcription",
        worst_long,
        "plain loop, worst stop between segments",
        max(stops),
        "s",
        "fmstudio worst close / plain loop worst stop",
    )


if __name__ == "__main__":
    sys.exit(main())
