"""Who spoke when: fmstudio's speakers on espeak-ng conversations with known turn times.

Inputs: four two-person conversations (a man's and a woman's espeak-ng voice, a line each in
turn, 16 lines of about 3 s) and one with a single voice. Each is transcribed by the bundled
Whisper tiny.en twice in one run: plainly (faster-whisper alone, the loop fmstudio competes
with), and with `--speakers auto`. Printed per file: speakers found, the share of speech time
given to the right speaker (after the best mapping of found speakers to true ones), and both
times; then the medians, and last the time ratio (with speakers / without).

Run: .venv/bin/python benchmarks/bench_diarization.py
"""

from __future__ import annotations

import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchmarks._common import report
from fmstudio.core.data.audio import load_audio
from fmstudio.core.events import CancelToken, run_to_end
from fmstudio.core.speech.models import bundled_folder, load_whisper
from fmstudio.core.speech.requests import SpeechOptions
from fmstudio.core.speech.scoring import speaker_time_accuracy
from fmstudio.core.speech.transcribe import transcribe_audio
from fmstudio.core.speech.transcripts import Transcript
from tests.datasets import DIALOGUE, make_conversation

PAIRS = (
    ("en-us+m3", "en-us+f2"),
    ("en-gb+m1", "en-us+f4"),
    ("en-us+m7", "en-gb+f3"),
    ("en-gb-scotland+m2", "en-us+f1"),
)


def conversation(folder: Path, voices: tuple[str, ...], seed: int) -> tuple[Path, list]:
    lines = list(DIALOGUE) * 2
    random.Random(seed).shuffle(lines)
    path = folder / f"{'-'.join(voices)}.wav"
    turns = make_conversation(path, [(voices[i % len(voices)], t) for i, t in enumerate(lines)])
    return path, turns


def timed(model: object, path: Path, options: SpeechOptions) -> tuple[Transcript, float]:
    audio = load_audio(path)
    start = time.perf_counter()
    transcript = run_to_end(transcribe_audio(model, audio, options, CancelToken()))  # type: ignore[arg-type]
    return transcript, time.perf_counter() - start


def main() -> None:
    model = load_whisper(str(bundled_folder()), "whisper-tiny.en")
    plain_times, speaker_times, accuracies = [], [], []
    with tempfile.TemporaryDirectory() as tmp:
        cases = [conversation(Path(tmp), pair, seed) for seed, pair in enumerate(PAIRS)]
        cases.append(conversation(Path(tmp), ("en-us+m3",), 9))
        timed(model, cases[0][0], SpeechOptions(speakers=0))  # load the speaker encoder once
        for path, turns in cases:
            _, plain = timed(model, path, SpeechOptions(language="en"))
            found, with_speakers = timed(model, path, SpeechOptions(language="en", speakers=0))
            spans = [(s.speaker, s.start, s.end) for s in found.segments]
            accuracy = speaker_time_accuracy(turns, spans)
            voices = len({t[0] for t in turns})
            print(
                f"{path.name}: {len(found.speakers)} speakers found ({voices} true), "
                f"{accuracy:.1%} of speech time right, {found.duration:.0f} s audio, "
                f"{plain:.2f} s plain, {with_speakers:.2f} s with speakers"
            )
            plain_times.append(plain)
            speaker_times.append(with_speakers)
            accuracies.append(accuracy)
    print(f"median share of speech time right: {statistics.median(accuracies):.1%}")
    report(
        "fmstudio transcribe --speakers auto (median)",
        statistics.median(speaker_times),
        "faster-whisper transcribe alone (median)",
        statistics.median(plain_times),
        "s",
        "time with speakers / without",
    )


if __name__ == "__main__":
    main()
