"""GUI responsiveness while jobs run on the worker.

With the main window up (offscreen) and a 10 ms QTimer heartbeat on the GUI thread, each job
runs through ui/worker.py; the heartbeat's lateness (p50, p99, max) is printed, and the job's
wall time against the same job driven directly, as the CLI does. The jobs: classification of
images and texts, transcription (with and without speakers), recording with live text (a file
played as a microphone), the training-folder scan, fine-tuning (head mode) and evaluation.
Goal: p99 <= 50 ms, max <= 100 ms. Ratio last: GUI wall time / CLI wall time.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections.abc import Callable, Generator
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("FMSTUDIO_HOME", tempfile.mkdtemp())

import numpy as np
import torch
from PIL import Image

from fmstudio.core.events import CancelToken, Event, Progress, run_to_end

Job = Callable[[CancelToken], Generator[Event, None, object]]


def torch_burn(cancel: CancelToken) -> Generator[Event, None, float]:
    """CPU-heavy torch work in steps, like a training loop."""
    gen = torch.Generator().manual_seed(0)
    a = torch.randn(768, 768, generator=gen)
    total = 0.0
    steps = 60
    for i in range(steps):
        cancel.raise_if_cancelled()
        for _ in range(8):
            a = torch.tanh(a @ a.T / 768)
        total += float(a.sum())
        yield Progress((i + 1) / steps)
    return total


def image_classify_job(folder: Path) -> Job:
    from fmstudio.core.image.classify import classify_images
    from fmstudio.core.image.requests import ClassifyImages

    request = ClassifyImages((str(folder),), batch_size=16)
    return lambda cancel: classify_images(request, cancel=cancel)


def text_classify_job(n: int) -> Job:
    from fmstudio.core.text.classify import classify_texts
    from fmstudio.core.text.requests import ClassifyTexts

    texts = [
        f"Document {i}: the team played a match in the rain while markets fell." * 5
        for i in range(n)
    ]
    request = ClassifyTexts(texts=tuple(texts), labels=("sports", "weather", "finance"))
    return lambda cancel: classify_texts(request, cancel=cancel)


def transcribe_job() -> Job:
    import subprocess

    from fmstudio.core.speech.requests import Transcribe
    from fmstudio.core.speech.transcribe import transcribe_files

    wav = Path(tempfile.mkdtemp()) / "speech.wav"
    text = "The studio keeps the window responsive while Whisper transcribes this sentence. " * 3
    subprocess.run(["espeak-ng", "-w", str(wav), text], check=True)
    return lambda cancel: transcribe_files(Transcribe((str(wav),)), cancel=cancel)


def transcribe_speakers_job() -> Job:
    from fmstudio.core.speech.requests import SpeechOptions, Transcribe
    from fmstudio.core.speech.transcribe import transcribe_files

    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from tests.datasets import alternating, make_conversation

    wav = Path(tempfile.mkdtemp()) / "talk.wav"
    make_conversation(wav, alternating())
    request = Transcribe((str(wav),), options=SpeechOptions(speakers=0))
    return lambda cancel: transcribe_files(request, cancel=cancel)


def record_job() -> Job:
    """Recording with live text: a spoken file played as the microphone, in real time."""
    import subprocess
    import threading

    from fmstudio.core.data.sources import FileSource
    from fmstudio.core.speech.record import record
    from fmstudio.core.speech.requests import Record

    wav = Path(tempfile.mkdtemp()) / "speech.wav"
    text = "Live text keeps up while the window stays responsive during this recording. " * 2
    subprocess.run(["espeak-ng", "-w", str(wav), text], check=True)

    def job(cancel: CancelToken) -> Generator[Event, None, object]:
        request = Record(FileSource(wav, realtime=1.0), model="whisper-tiny.en")
        return record(request, stop=threading.Event(), cancel=cancel)

    return job


def scan_job(folder: Path) -> Job:
    from fmstudio.core.classify.scan import scan_job as scan
    from fmstudio.core.requests import Scan

    return lambda cancel: scan(Scan(str(folder), "image"), cancel=cancel)


def train_job(folder: Path, epochs: int = 5) -> Job:
    from fmstudio.core.classify.train_job import fine_tune
    from fmstudio.core.train.spec import TrainSpec

    runs = iter(range(100))

    def job(cancel: CancelToken) -> Generator[Event, None, object]:
        spec = TrainSpec("image", str(folder), f"bench-{next(runs)}", mode="head", epochs=epochs)
        return fine_tune(spec, cancel=cancel)

    return job


def evaluate_job(folder: Path) -> Job:
    """Evaluates the model the training job saved first (run it after that job)."""
    from fmstudio.core.classify.evaluate import evaluate_model
    from fmstudio.core.requests import Evaluate

    request = Evaluate("image", "bench-0", str(folder))
    return lambda cancel: evaluate_model(request, cancel=cancel)


def make_classes(n: int) -> Path:
    """Two classes of `n` photos-sized noise images each, told apart by colour."""
    root = Path(tempfile.mkdtemp()) / "classes"
    rng = np.random.default_rng(1)
    for name, channel in (("red", 0), ("blue", 2)):
        (root / name).mkdir(parents=True)
        for i in range(n):
            arr = rng.integers(0, 120, (320, 480, 3), dtype=np.uint8)
            arr[..., channel] += 120
            Image.fromarray(arr).save(root / name / f"{i:02d}.jpg", quality=90)
    return root


def make_images(n: int) -> Path:
    folder = Path(tempfile.mkdtemp()) / "imgs"
    folder.mkdir()
    rng = np.random.default_rng(0)
    for i in range(n):
        arr = rng.integers(0, 255, (480, 640, 3), dtype=np.uint8)
        Image.fromarray(arr).save(folder / f"{i:03d}.jpg", quality=90)
    return folder


def measure(name: str, job: Job) -> float:
    from PySide6.QtCore import QElapsedTimer, QEventLoop, QTimer

    from fmstudio.ui.app import create_app
    from fmstudio.ui.main_window import MainWindow
    from fmstudio.ui.worker import Worker

    app = create_app()
    window = MainWindow()
    window.show()
    app.processEvents()

    run_to_end(job(CancelToken()))  # warm-up: model loads and caches count for neither side
    start = time.perf_counter()
    run_to_end(job(CancelToken()))
    cli_wall = time.perf_counter() - start

    late: list[float] = []
    clock = QElapsedTimer()
    timer = QTimer()
    timer.setInterval(10)
    last = [0]

    def beat() -> None:
        now = clock.elapsed()
        late.append(max(0, now - last[0] - 10))
        last[0] = now

    timer.timeout.connect(beat)
    loop = QEventLoop()
    worker = Worker(job)
    worker.finished.connect(loop.quit)
    clock.start()
    timer.start()
    start = time.perf_counter()
    worker.start()
    loop.exec()
    gui_wall = time.perf_counter() - start
    timer.stop()
    window.close()
    lat = np.array(late[1:] or [0.0])
    print(
        f"{name}: heartbeat lateness p50 {np.percentile(lat, 50):.1f} ms, "
        f"p99 {np.percentile(lat, 99):.1f} ms, max {lat.max():.1f} ms over {len(lat)} beats; "
        f"wall GUI {gui_wall:.2f} s vs CLI {cli_wall:.2f} s"
    )
    return gui_wall / cli_wall


def main() -> None:
    classes = make_classes(16)
    jobs: dict[str, Job] = {
        "torch burn": torch_burn,
        "image classify (48 images)": image_classify_job(make_images(48)),
        "text classify (400 documents)": text_classify_job(400),
        "speech transcribe (espeak, ~15 s)": transcribe_job(),
        "speech transcribe with speakers (~30 s, two voices)": transcribe_speakers_job(),
        "record with live text (~10 s, real time)": record_job(),
        "dataset scan (200 images)": scan_job(make_classes(100)),
        "fine-tune, head mode (32 images, 5 epochs)": train_job(classes),
        "evaluate (32 images)": evaluate_job(classes),
    }
    ratios = [measure(name, job) for name, job in jobs.items()]
    print(f"ratio (GUI wall / CLI wall, median over jobs): {float(np.median(ratios)):.3f}")


if __name__ == "__main__":
    sys.exit(main())
