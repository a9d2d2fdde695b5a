"""Transcription: fmstudio's transcribe job against faster-whisper called directly.

Same bundled model (tiny.en, int8 on the CPU), beam size and options, same audio (speech made
with espeak-ng). Prints wall time and real-time factor of each, whether the texts are identical,
and the ratio (fmstudio / direct wall time) last. Goal: <= 1.05.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import report

from fmstudio.core.events import run_to_end
from fmstudio.core.requests import SpeechOptions, Transcribe
from fmstudio.core.speech.models import bundled_folder, load_whisper
from fmstudio.core.speech.transcribe import transcribe_files

SCRIPT = (
    "Speech recognition turns spoken words into text. The studio runs every model on this "
    "machine, so recordings never leave it. Whisper was trained on many hours of audio, and "
    "even the tiny model follows clear speech well. Numbers like twenty five and names like "
    "London are harder. We measure the time it takes and compare the words."
)


def make_speech(seconds_wanted: float) -> Path:
    folder = Path(tempfile.mkdtemp())
    one = folder / "one.wav"
    subprocess.run(["espeak-ng", "-s", "150", "-w", str(one), SCRIPT], check=True)
    repeats = max(1, round(seconds_wanted / 20))
    out = folder / "speech.wav"
    subprocess.run(["sox", *[str(one)] * repeats, str(out)], check=True)
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--beam-size", type=int, default=5)
    args = parser.parse_args()
    audio = make_speech(args.seconds)
    model = load_whisper(str(bundled_folder()), "whisper-tiny.en", "cpu")
    request = Transcribe((str(audio),), model, SpeechOptions(beam_size=args.beam_size))
    ours_t, direct_t = [], []
    ours_text = direct_text = ""
    for _ in range(args.repeats):
        start = time.perf_counter()
        (result,) = run_to_end(transcribe_files(request))
        ours_t.append(time.perf_counter() - start)
        ours_text = result.text
        start = time.perf_counter()
        segments, _info = model.model.transcribe(str(audio), beam_size=args.beam_size)
        direct_text = " ".join(s.text.strip() for s in segments)
        direct_t.append(time.perf_counter() - start)
    duration = result.duration
    ours, direct = statistics.median(ours_t), statistics.median(direct_t)
    print(f"audio: {duration:.1f} s of espeak-ng speech; beam {args.beam_size}; CPU int8")
    print(f"real-time factor: fmstudio {ours / duration:.3f}, direct {direct / duration:.3f}")
    print(f"identical text: {ours_text == direct_text}")
    report("fmstudio transcribe", ours, "faster-whisper direct", direct, "s", "fmstudio / direct")


if __name__ == "__main__":
    main()
