"""fmstudio on a GPU against the plain loops it competes with, in one call (issue 31).

Parts, each on the same inputs, model, batch and precision for both sides, in one process:
- image: classify `--images` photo-sized JPEGs (1600x1200, made from scikit-learn's sample
  photos): fmstudio's job (JPEGs decoded by nvJPEG and preprocessed on the GPU) against a
  plain timm loop (Pillow decode, timm's eval transform); images/s and top-1 agreement.
  Goal: >= 10x, top-1 identical.
- train: fine-tune EfficientNet-Lite0 on photos in class folders: fmstudio's loop (worker
  processes make the batches, the figures stay on the GPU, AMP, channels-last) against a
  plain PyTorch loop (DataLoader without workers, AMP); samples/s. Goal: >= 1.2x.
- text: zero-shot over real texts with MiniLM: fmstudio's job (bf16 autocast where checked,
  length-sorted batches) against the plain transformers loop; docs/s.
- speech: a 5-minute recording with known words: fmstudio's transcribe job (batched
  pipeline) against sequential faster-whisper on the same GPU; seconds and WER of each.
  Goal: >= 2x, WER within 0.01.
While each side runs, nvidia-smi samples the GPU's utilisation every 100 ms: its mean is
printed beside the side's figure. The ratios (fmstudio / plain, higher is better) come last.

Inputs that the GPU machine cannot make (texts from Debian and PyPI packages, espeak-ng's
recording) and the packages it lacks are made here by `prepare`, in folders of at most
64 MiB each (what one call of the device tool carries); `prepare` prints the calls. Parts
whose packages are missing say so and the others run. `--device cpu --quick` runs every
part on small inputs on any machine (the test does; the ratios mean nothing there).

    python benchmarks/gpu_suite.py prepare            # here: .gpu/{data,w1,w2,minilm,whisper}
    python benchmarks/gpu_suite.py run [--parts image,train] [--device cuda]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

PARTS = ("image", "train", "text", "speech")
GOALS = {"image": 10.0, "train": 1.2, "text": 1.0, "speech": 2.0}


@dataclass
class Row:
    """One part's figures: fmstudio's and the plain loop's, higher is better."""

    part: str
    ours: float
    plain: float
    unit: str
    busy: tuple[float | None, float | None] = (None, None)
    notes: list[str] = field(default_factory=list)

    @property
    def ratio(self) -> float:
        return self.ours / self.plain


class GpuMeter:
    """The GPU's utilisation, sampled by nvidia-smi while a block runs (None without one)."""

    def __init__(self) -> None:
        self.samples: list[float] = []

    @contextmanager
    def sampling(self) -> Iterator[GpuMeter]:
        self.samples = []
        command = ["nvidia-smi", "--query-gpu=utilization.gpu", "--format=csv,noheader,nounits"]
        try:
            process = subprocess.Popen([*command, "-lms", "100"], stdout=subprocess.PIPE, text=True)
        except OSError:
            yield self
            return
        reader = threading.Thread(target=self._read, args=(process,), daemon=True)
        reader.start()
        try:
            yield self
        finally:
            process.terminate()
            process.wait()
            reader.join(timeout=2)

    def _read(self, process: subprocess.Popen[str]) -> None:
        assert process.stdout is not None
        for line in process.stdout:
            if line.strip().isdigit():
                self.samples.append(float(line))

    def mean(self) -> float | None:
        return statistics.mean(self.samples) if self.samples else None


def timed(fn: Callable[[], object], repeats: int, meter: GpuMeter) -> tuple[float, float | None]:
    """Median seconds of `repeats` runs after a warm-up run, and the GPU's mean utilisation."""
    fn()
    times = []
    with meter.sampling():
        for _ in range(repeats):
            start = time.perf_counter()
            fn()
            synchronize()
            times.append(time.perf_counter() - start)
    return statistics.median(times), meter.mean()


def synchronize() -> None:
    import torch

    if torch.cuda.is_available():
        torch.cuda.synchronize()


def image_part(args: argparse.Namespace, work: Path, meter: GpuMeter) -> Row:
    import dataclasses

    from bench_image_classify import fmstudio_path, make_photos, plain_timm_loop

    from fmstudio.core.image.models import load_bundled, speed_up

    n, size = (16, (640, 480)) if args.quick else (args.images, (1600, 1200))
    paths = make_photos(n, work, size)
    plain_model = load_bundled(args.device)
    model = speed_up(dataclasses.replace(load_bundled(args.device)))
    batch = 64 if not args.quick else 8
    plain_s, plain_busy = timed(lambda: plain_timm_loop(paths, batch, plain_model), 2, meter)
    ours_s, ours_busy = timed(lambda: fmstudio_path(paths, batch, model), 3, meter)
    same = sum(
        a == b
        for a, b in zip(
            fmstudio_path(paths, batch, model),
            plain_timm_loop(paths, batch, plain_model),
            strict=True,
        )
    )
    note = f"{n} JPEGs of {size[0]}x{size[1]}, batch {batch}; top-1 identical on {same}/{n}"
    return Row("image", n / ours_s, n / plain_s, "images/s", (ours_busy, plain_busy), [note])


def train_part(args: argparse.Namespace, work: Path, meter: GpuMeter) -> Row:
    import torch
    from bench_image_classify import make_photos
    from bench_train import engine_epochs, plain_epochs
    from PIL import Image

    from fmstudio.core.classify.scan import scan
    from fmstudio.core.events import CancelToken, run_to_end
    from fmstudio.core.train.finetuner import load_finetuner

    per_class = 8 if args.quick else args.per_class
    for name in ("a", "b"):  # two classes: the photos, and the photos with colours swapped
        folder = work / "train" / name
        folder.mkdir(parents=True)
        for path in make_photos(per_class, folder, (640, 480)):
            if name == "b":
                red, green, blue = Image.open(path).split()
                Image.merge("RGB", (blue, red, green)).save(path, quality=90)
    report = scan(work / "train", "image", val_split=0.0)
    tuner = load_finetuner("image", "efficientnet_lite0", report.classes, args.device)
    inputs = run_to_end(tuner.prepare(report.train, CancelToken(), "training"))
    targets = [report.classes.index(s.label) for s in report.train]
    dataset = tuner.dataset(inputs, targets, train=True)
    initial = {k: v.clone() for k, v in tuner.model.state_dict().items()}
    batch, epochs = (8, 2) if args.quick else (32, 3)
    seconds: dict[str, list[float]] = {"ours": [], "plain": []}
    busy: dict[str, float | None] = {}
    for side, runner in (("plain", plain_epochs), ("ours", engine_epochs)):
        tuner.model.load_state_dict(initial)
        with meter.sampling():
            times = runner(tuner.model, dataset, tuner, batch, 1e-3, args.device, epochs)
        seconds[side] = times[1:]  # the first epoch warms caches, workers and cuDNN up
        busy[side] = meter.mean()
    n = len(dataset)
    rate = {side: n / statistics.median(t) for side, t in seconds.items()}
    amp = "AMP" if torch.cuda.is_available() else "fp32"
    note = f"{n} photos of 640x480 in 2 classes, batch {batch}, {amp}, median of {epochs - 1}"
    return Row(
        "train", rate["ours"], rate["plain"], "samples/s", (busy["ours"], busy["plain"]), [note]
    )


def text_part(args: argparse.Namespace, work: Path, meter: GpuMeter) -> Row:
    from bench_text_classify import LABELS, ours, plain_loop

    from fmstudio.core.text.models import load_bundled, load_encoder, speed_up

    texts = _texts(args)
    encoder = (
        load_encoder(args.text_model, "all-MiniLM-L6-v2", args.device)
        if args.text_model
        else load_bundled(args.device)
    )
    encoder.model.float()  # prepared in fp16 to fit a call; users' weights are fp32
    encoder = speed_up(encoder)
    labels = list(LABELS)
    ours_s, ours_busy = timed(lambda: ours(encoder, texts, labels), 3, meter)
    plain_s, plain_busy = timed(lambda: plain_loop(encoder, texts, labels), 3, meter)
    note = f"{len(texts)} texts; fmstudio runs {encoder.runtime} ({encoder.runtime_reason})"
    n = len(texts)
    return Row("text", n / ours_s, n / plain_s, "docs/s", (ours_busy, plain_busy), [note])


def _texts(args: argparse.Namespace) -> list[str]:
    """The prepared texts (WordNet glosses, VADER snippets, stdlib docstrings), or in --quick,
    docstrings of this interpreter's standard library."""
    if args.quick:
        from _datasets import docstring_sentences

        return docstring_sentences(64, 0)
    texts: list[str] = json.loads(args.texts.read_text(encoding="utf-8"))
    return texts


def speech_part(args: argparse.Namespace, work: Path, meter: GpuMeter) -> Row:
    _without_pyav()
    from bench_transcribe import direct, ours

    from fmstudio.core.errors import ModelUnavailableError
    from fmstudio.core.speech.models import bundled_folder, load_whisper
    from fmstudio.core.speech.scoring import score

    recording, reference = _recording(args, work)
    source = args.whisper or str(bundled_folder())
    model = load_whisper(str(source), "whisper-tiny.en", args.device)
    texts: dict[str, list[str]] = {}

    def run(side: str, fn: Callable[..., list[str]]) -> Callable[[], None]:
        return lambda: texts.__setitem__(side, fn(model, [recording], 5))

    ours_s, ours_busy = timed(run("ours", ours), 2, meter)
    plain_s, plain_busy = timed(run("plain", direct), 2, meter)
    wer = {side: score([str(recording)], [reference], t).wer for side, t in texts.items()}
    minutes = _seconds(recording) / 60
    note = (
        f"{minutes:.1f} minutes, beam 5, {model.device}; WER fmstudio {wer['ours']:.4f}, "
        f"sequential {wer['plain']:.4f} (difference {wer['ours'] - wer['plain']:+.4f}, "
        "goal within 0.01)"
    )
    try:
        on_device, on_cpu = _speaker_pass(recording, args.device)
        note += f"; speaker pass {on_device:.2f} s on {args.device}, {on_cpu:.2f} s on the CPU"
    except ModelUnavailableError as exc:
        note += f"; no speaker pass: {exc}"
    # Higher is better: recordings a second, so the ratio reads as the others do.
    return Row("speech", 1 / ours_s, 1 / plain_s, "recordings/s", (ours_busy, plain_busy), [note])


def _speaker_pass(recording: Path, device: str) -> tuple[float, float]:
    """Seconds the speaker pass takes on `device` and on the CPU (after a warm-up each), over
    the recording cut in 10-second segments."""
    from fmstudio.core.data.audio import SAMPLE_RATE, load_audio
    from fmstudio.core.speech.speakers import find_speakers
    from fmstudio.core.speech.transcripts import Segment

    audio = load_audio(recording)
    end = len(audio) / SAMPLE_RATE
    segments = [Segment(t, min(t + 10.0, end), "words") for t in range(0, int(end), 10)]
    seconds = []
    for where in (device, "cpu"):
        find_speakers(audio[: 30 * SAMPLE_RATE], segments[:3], device=where)
        start = time.perf_counter()
        find_speakers(audio, segments, device=where)
        synchronize()
        seconds.append(time.perf_counter() - start)
    return seconds[0], seconds[1]


def _recording(args: argparse.Namespace, work: Path) -> tuple[Path, str]:
    if args.quick:
        from bench_transcribe import make_recording

        return make_recording(work, 70, 0)
    words = args.recording.with_suffix(".txt").read_text(encoding="utf-8")
    return args.recording, words


def _seconds(path: Path) -> float:
    import wave

    with wave.open(str(path)) as wav:
        return wav.getnframes() / wav.getframerate()


def _without_pyav() -> None:
    """Where PyAV is not installed (the GPU machine: its wheel does not fit one call beside
    CTranslate2's), faster-whisper's decoder reads the suite's 16 kHz WAV with the standard
    library instead: faster-whisper imports PyAV at start but needs it only to decode."""
    import importlib.util

    if importlib.util.find_spec("av") is not None:
        return
    import types
    import wave

    import numpy as np

    sys.modules["av"] = types.ModuleType("av")
    import faster_whisper

    def decode_wav(source: str, sampling_rate: int = 16_000) -> np.ndarray:
        with wave.open(source) as wav:
            if wav.getframerate() != sampling_rate or wav.getnchannels() != 1:
                raise ValueError(f"{source}: not {sampling_rate} Hz mono (no PyAV to convert)")
            pcm = np.frombuffer(wav.readframes(wav.getnframes()), dtype=np.int16)
        return pcm.astype(np.float32) / 32768

    faster_whisper.decode_audio = decode_wav


RUNNERS: dict[str, Callable[[argparse.Namespace, Path, GpuMeter], Row]] = {
    "image": image_part,
    "train": train_part,
    "text": text_part,
    "speech": speech_part,
}


def run(args: argparse.Namespace) -> list[Row]:
    import torch

    from fmstudio.core.devices import resolve_device

    args.device = resolve_device(args.device)
    name = torch.cuda.get_device_name() if args.device.startswith("cuda") else "CPU"
    print(f"device: {args.device} ({name}); torch {torch.__version__}", flush=True)
    rows: list[Row] = []
    meter = GpuMeter()
    for part in args.parts:
        with tempfile.TemporaryDirectory() as tmp:
            try:
                row = RUNNERS[part](args, Path(tmp), meter)
            except ImportError as exc:
                print(f"{part}: skipped, {exc.name or exc} is not installed", flush=True)
                continue
            except FileNotFoundError as exc:
                print(f"{part}: skipped, {exc.filename} is missing (see prepare)", flush=True)
                continue
        rows.append(row)
        print(describe(row), flush=True)
    for row in rows:
        goal = GOALS[row.part]
        verdict = "meets" if row.ratio >= goal else "below"
        print(f"ratio {row.part} (fmstudio / plain, {verdict} goal {goal}x): {row.ratio:.2f}")
    return rows


def describe(row: Row) -> str:
    def busy(value: float | None) -> str:
        return f", GPU busy {value:.0f}%" if value is not None else ""

    return (
        f"{row.part}: fmstudio {row.ours:.3f} {row.unit}{busy(row.busy[0])}; "
        f"plain {row.plain:.3f} {row.unit}{busy(row.busy[1])}; " + "; ".join(row.notes)
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    verbs = parser.add_subparsers(dest="verb", required=True)
    go = verbs.add_parser("run", help="run the parts")
    go.add_argument("--parts", default=",".join(PARTS), type=lambda s: s.split(","))
    go.add_argument("--device", default="auto")
    go.add_argument("--images", type=int, default=256)
    go.add_argument("--per-class", type=int, default=200, help="training photos per class")
    go.add_argument("--texts", type=Path, default=Path(".gpu/texts/texts.json"))
    go.add_argument(
        "--recording", type=Path, default=Path(".gpu/speech/meeting.wav"), help="its words: .txt"
    )
    go.add_argument("--text-model", type=Path, help="a MiniLM folder (else the bundled one)")
    go.add_argument("--whisper", type=Path, help="a faster-whisper folder (else tiny.en)")
    go.add_argument("--quick", action="store_true", help="small inputs (a check, not figures)")
    ready = verbs.add_parser("prepare", help="make the folders a GPU machine needs")
    ready.add_argument("--out", type=Path, default=Path(".gpu"))
    args = parser.parse_args()
    unknown = set(getattr(args, "parts", ())) - set(PARTS)
    if unknown:
        parser.error(f"unknown parts: {', '.join(sorted(unknown))}; choose from {PARTS}")
    if args.verb == "prepare":
        from gpu_prepare import prepare

        prepare(args.out)
    else:
        run(args)


if __name__ == "__main__":
    main()
