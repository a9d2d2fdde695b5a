"""Transcription: fmstudio's transcribe job against faster-whisper's sequential decoding called
directly, on the same long files.

Same bundled model (tiny.en: int8 on the CPU, float16 on a GPU), beam size and audio: `--files`
recordings of about `--seconds` each, made with espeak-ng from varied English sentences whose
text is known. fmstudio decodes files over a minute in batches (core/speech/long_files.py);
direct is `WhisperModel.transcribe`, sequential. Prints each one's wall time (median of
`--repeats`), real-time factor and corpus WER over all files (Whisper's normaliser), the WER
difference (goal: within 0.01), and the ratio (fmstudio / direct wall time) last (goal: <= 0.75).
A short file (under a minute, so sequential in both) shows fmstudio's own overhead.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import report
from _datasets import docstring_sentences

from fmstudio.core.data.audio import SAMPLE_RATE, load_audio
from fmstudio.core.events import run_to_end
from fmstudio.core.speech.models import SpeechModel, bundled_folder, load_whisper
from fmstudio.core.speech.requests import SpeechOptions, Transcribe
from fmstudio.core.speech.scoring import score
from fmstudio.core.speech.transcribe import transcribe_files

WORDS_PER_SECOND = 2.3
"""espeak-ng at 150 words a minute, pauses included: how many sentences make a file."""


def make_recording(folder: Path, seconds: float, seed: int) -> tuple[Path, str]:
    """One WAV of sentences spoken one after another, and the text they say."""
    sentences, spoken = docstring_sentences(400, seed), []
    wavs: list[str] = []
    while sum(len(s.split()) for s in spoken) < seconds * WORDS_PER_SECOND:
        text = sentences[len(spoken)]
        wav = folder / f"{seed}-{len(spoken)}.wav"
        subprocess.run(["espeak-ng", "-s", "150", "-w", str(wav), text], check=True)
        spoken.append(text)
        wavs.append(str(wav))
    out = folder / f"recording{seed}.wav"
    subprocess.run(["sox", *wavs, str(out)], check=True)
    return out, " ".join(spoken)


def timed(fn: Callable[[], list[str]], repeats: int) -> tuple[float, list[str]]:
    times, texts = [], []
    for _ in range(repeats):
        start = time.perf_counter()
        texts = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), texts


def ours(model: SpeechModel, files: list[Path], beam: int) -> list[str]:
    request = Transcribe(tuple(map(str, files)), model, SpeechOptions(beam_size=beam))
    return [t.text for t in run_to_end(transcribe_files(request))]


def direct(model: SpeechModel, files: list[Path], beam: int) -> list[str]:
    texts = []
    for path in files:
        segments, _info = model.model.transcribe(load_audio(path), beam_size=beam)
        texts.append(" ".join(s.text.strip() for s in segments))
    return texts


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=100)
    parser.add_argument("--files", type=int, default=4)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--beam-size", type=int, default=5)
    parser.add_argument("--device", default="cpu")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp())
    made = [make_recording(folder, args.seconds, seed) for seed in range(args.files)]
    files, references = [p for p, _ in made], [t for _, t in made]
    seconds = sum(len(load_audio(p)) for p in files) / SAMPLE_RATE
    model = load_whisper(str(bundled_folder()), "whisper-tiny.en", args.device)
    beam = args.beam_size
    short, _ = make_recording(folder, 25, 99)
    short_ours, short_text = timed(lambda: ours(model, [short], beam), args.repeats)
    short_direct, short_direct_text = timed(lambda: direct(model, [short], beam), args.repeats)
    ours_s, ours_texts = timed(lambda: ours(model, files, beam), args.repeats)
    direct_s, direct_texts = timed(lambda: direct(model, files, beam), args.repeats)
    paths = list(map(str, files))
    ours_wer = score(paths, references, ours_texts).wer
    direct_wer = score(paths, references, direct_texts).wer
    print(f"audio: {len(files)} files, {seconds:.0f} s of espeak-ng speech; beam {beam}")
    print(f"device: {model.device}; batched pieces per step: fmstudio's long-file path")
    print(f"short file ({len(load_audio(short)) / SAMPLE_RATE:.0f} s, sequential in both):")
    print(f"  fmstudio / direct {short_ours / short_direct:.3f}, identical text:", end=" ")
    print(short_text == short_direct_text)
    print(f"real-time factor: fmstudio {ours_s / seconds:.4f}, direct {direct_s / seconds:.4f}")
    print(f"WER: fmstudio {ours_wer:.4f}, direct {direct_wer:.4f}, ", end="")
    print(f"difference {ours_wer - direct_wer:+.4f} (goal within 0.01)")
    report("fmstudio transcribe", ours_s, "direct sequential", direct_s, "s", "fmstudio / direct")


if __name__ == "__main__":
    main()
