"""Folder watch: 20 real recordings dropped at once, the watch stopped and started again in
the middle; each must be transcribed once, none lost.

Inputs: the AMI meeting clips of pyannote.audio 3.1.1's tests (benchmarks/_datasets.ami_clips;
AMI corpus, CC BY 4.0), each cut in two halves of 15 s: 20 files of real meeting speech. They
are copied into the watched folder together while `fmstudio speech watch DIR --format srt
json` runs; once 8 are done it gets Ctrl-C (SIGINT, as a user stops it), and the same command
with --once finishes the rest. Counted: the files each run says it transcribed (a file twice
or never is a failure), transcripts that parse, no temp file left. Then the time of both
watch runs against one `fmstudio speech transcribe` batch of the same files (whose SRT files
must be the same), ratio last.

Run: .venv/bin/python benchmarks/folder_watch.py
"""

from __future__ import annotations

import collections
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import report
from _datasets import ami_clips

from fmstudio.core.data.audio import SAMPLE_RATE, load_audio
from fmstudio.core.speech.dataset import wav_bytes

FILES = 20
STOP_AFTER = 8
COMMAND = [sys.executable, "-m", "fmstudio", "speech"]


def recordings(folder: Path) -> list[Path]:
    """Two 15-s halves of each AMI clip, until there are FILES."""
    folder.mkdir(parents=True)
    made = []
    for path, _ in ami_clips():
        audio = load_audio(path)
        if len(audio) < 30 * SAMPLE_RATE:
            continue
        for half in (0, 1):
            if len(made) == FILES:
                return made
            piece = audio[half * 15 * SAMPLE_RATE : (half + 1) * 15 * SAMPLE_RATE]
            target = folder / f"{path.stem}-{half}.wav"
            target.write_bytes(wav_bytes(piece))
            made.append(target)
    return made


def transcribed(stderr: str) -> list[str]:
    """The files a watch run says it wrote transcripts for."""
    return [line.split(" → ")[0] for line in stderr.splitlines() if " → " in line]


def _interruptible() -> None:
    """Ctrl-C reaches the watch even when this script runs in the background (a background
    job ignores SIGINT, and its children would inherit that)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def watch_runs(folder: Path, files: list[Path]) -> tuple[list[str], list[str], float]:
    """The watch started, all files dropped, stopped after STOP_AFTER, then run --once."""
    command = [*COMMAND, "watch", str(folder), "--format", "srt", "json"]
    started = time.perf_counter()
    first = subprocess.Popen(command, stderr=subprocess.PIPE, text=True, preexec_fn=_interruptible)
    for path in files:  # dropped at once
        shutil.copy(path, folder / path.name)
    while len(list(folder.glob("*.json"))) < STOP_AFTER and first.poll() is None:
        time.sleep(0.2)
    first.send_signal(signal.SIGINT)
    _, first_err = first.communicate(timeout=120)
    second = subprocess.run([*command, "--once"], stderr=subprocess.PIPE, text=True, check=True)
    return transcribed(first_err), transcribed(second.stderr), time.perf_counter() - started


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["FMSTUDIO_HOME"] = str(Path(tmp) / "home")
        files = recordings(Path(tmp) / "made")
        folder = Path(tmp) / "watched"
        folder.mkdir()
        before, after, watched_s = watch_runs(folder, files)
        counts = collections.Counter(before + after)
        twice = sorted(n for n, c in counts.items() if c > 1)
        lost = sorted(p.name for p in files if p.name not in counts)
        parsed = sum(bool(json.loads(p.read_text())["text"]) for p in folder.glob("*.json"))
        left = [p.name for p in folder.iterdir() if p.name.startswith(".")]
        print(f"{len(files)} files: {len(before)} before the stop, {len(after)} after the restart")
        print(f"transcribed twice: {twice or 'none'}; lost: {lost or 'none'}; temp files: {left}")
        print(f"transcripts with text: {parsed} of {len(files)}")
        started = time.perf_counter()
        out = Path(tmp) / "batch"
        batch = [*COMMAND, "transcribe", str(Path(tmp) / "made"), "--output-dir", str(out)]
        subprocess.run([*batch, "--format", "srt"], capture_output=True, check=True)
        batch_s = time.perf_counter() - started
        same = sum(
            (folder / f"{p.stem}.srt").read_text() == (out / f"{p.stem}.srt").read_text()
            for p in files
        )
        print(f"the same SRT as one transcribe batch of the files: {same} of {len(files)}")
    report(
        "watch, stopped and restarted",
        watched_s,
        "one transcribe batch",
        batch_s,
        "s",
        "watch / batch",
    )


if __name__ == "__main__":
    main()
