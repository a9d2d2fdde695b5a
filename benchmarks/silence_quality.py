"""Silence gives no words, and speech loses none: fmstudio's silence gate on and off.

Inputs: 5 s of digital silence, of a quiet microphone's hiss (-60 dBFS) and of faint noise
(-50 dBFS), speech followed by 4 s of silence, and 40 spoken sentences (two espeak-ng voices;
every fourth turned down to a quiet -35 dBFS peak). The same bundled Whisper transcribes all of
them with the gate and without it (the plain faster-whisper output). Printed: the words
invented on the silent inputs, and the WER on the sentences, each way; the WER ratio last.

Run: .venv/bin/python benchmarks/silence_quality.py
"""

from __future__ import annotations

import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _datasets import docstring_sentences, espeak_clips

from fmstudio.core.data.audio import SAMPLE_RATE, load_audio
from fmstudio.core.events import CancelToken, run_to_end
from fmstudio.core.speech import transcribe
from fmstudio.core.speech.models import bundled_folder, load_whisper
from fmstudio.core.speech.requests import SpeechOptions
from fmstudio.core.speech.scoring import score


@contextmanager
def gate(on: bool) -> Any:
    saved = transcribe.is_silent, transcribe.spoken
    if not on:
        transcribe.is_silent = lambda _audio: False  # type: ignore[assignment]
        transcribe.spoken = lambda *_args: True  # type: ignore[assignment]
    try:
        yield
    finally:
        transcribe.is_silent, transcribe.spoken = saved


def silent_inputs() -> dict[str, np.ndarray]:
    rng = np.random.default_rng(0)
    n = 5 * SAMPLE_RATE
    hiss = rng.standard_normal(n).astype(np.float32)
    return {
        "digital silence": np.zeros(n, dtype=np.float32),
        "hiss -60 dBFS": hiss * 10 ** (-60 / 20),
        "noise -50 dBFS": hiss * 10 ** (-50 / 20),
    }


def text_of(model: Any, audio: np.ndarray) -> str:
    job = transcribe.transcribe_audio(model, audio, SpeechOptions(), CancelToken())
    return run_to_end(job).text


def main() -> None:
    model = load_whisper(str(bundled_folder()), "whisper-tiny.en", "cpu")
    with tempfile.TemporaryDirectory() as tmp:
        sentences = docstring_sentences(40, seed=7)
        clips = (
            espeak_clips(Path(tmp) / "a", sentences[:20]),
            espeak_clips(Path(tmp) / "b", sentences[20:], voice="en-gb+f3"),
        )
        speech = [load_audio(c / f"clip{i:04d}.wav") for c in clips for i in range(20)]
    for i in range(0, len(speech), 4):
        speech[i] = speech[i] * (10 ** (-35 / 20) / float(np.abs(speech[i]).max()))
    tail = np.concatenate([speech[1], np.zeros(4 * SAMPLE_RATE, dtype=np.float32)])
    quiet = {**silent_inputs(), "speech then 4 s of silence": tail}
    wers = {}
    for on in (False, True):
        name = "with the gate" if on else "plain faster-whisper"
        with gate(on):
            for what, audio in quiet.items():
                print(f"{name:22s} {what:28s} -> {text_of(model, audio)!r}", flush=True)
            said = [text_of(model, audio) for audio in speech]
        scores = score([str(i) for i in range(len(speech))], sentences, said)
        wers[on] = scores.wer
        print(f"{name:22s} WER on 40 sentences: {scores.wer:.3f}", flush=True)
    print(f"WER with the gate / without: {wers[True] / wers[False]:.3f}")


if __name__ == "__main__":
    main()
