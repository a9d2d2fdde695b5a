"""Who spoke when on real meetings: does the speaker count depend on the Whisper model?

Inputs: the fourteen 30-second AMI meeting clips with their speaker turns that pyannote.audio
3.1.1's tests use (benchmarks/_datasets.ami_clips; AMI corpus, CC BY 4.0; 1 to 4 speakers,
some talking at once). Each clip is transcribed with `--speakers auto` by the two bundled
Whisper models, tiny.en and base. Printed per clip: the true count, the count each model's
transcript got and the share of speech time given to the right speaker; then how many clips
got the same count from both models, and last the mean share right with base / with tiny.en.

Run: .venv/bin/python benchmarks/diarization_real.py
"""

from __future__ import annotations

import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import report
from _datasets import ami_clips

from fmstudio.core import loading
from fmstudio.core.data.audio import load_audio
from fmstudio.core.events import CancelToken, run_to_end
from fmstudio.core.speech.requests import SpeechOptions
from fmstudio.core.speech.scoring import speaker_time_accuracy
from fmstudio.core.speech.transcribe import transcribe_audio

MODELS = ("whisper-tiny.en", "whisper-base")


def main() -> None:
    models = {name: loading.cached_load(name, "speech", "cpu") for name in MODELS}
    shares: dict[str, list[float]] = {name: [] for name in MODELS}
    same = 0
    clips = ami_clips()
    for path, turns in clips:
        audio = load_audio(path)
        counts = {}
        for name, model in models.items():
            options = SpeechOptions(language="en", speakers=0)
            found = run_to_end(transcribe_audio(model, audio, options, CancelToken()))
            spans = [(s.speaker, s.start, s.end) for s in found.segments]
            counts[name] = len(found.speakers)
            shares[name].append(speaker_time_accuracy(turns, spans))
        same += len(set(counts.values())) == 1
        true = len({who for who, _, _ in turns})
        print(
            f"{path.stem}: {true} speakers; "
            + ", ".join(
                f"{name} {counts[name]} ({shares[name][-1]:.0%} of speech time right)"
                for name in MODELS
            ),
            flush=True,
        )
    print(f"same count from both models on {same} of {len(clips)} clips")
    report(
        "mean share of speech time right, whisper-base",
        statistics.mean(shares["whisper-base"]),
        "whisper-tiny.en",
        statistics.mean(shares["whisper-tiny.en"]),
        "",
        "base / tiny.en",
    )


if __name__ == "__main__":
    main()
