"""Voice profiles on real meetings: enrolled voices named by themselves, others left unnamed.

Inputs: the AMI meeting clips of pyannote.audio 3.1.1's tests (benchmarks/_datasets.ami_clips;
AMI corpus, CC BY 4.0), where some people speak in two clips. For each case below, two voices
are enrolled from two clips each, cut from other recordings (each person's two longest
turns that nobody talks over), and recordings they are not enrolled from are transcribed with
speakers found automatically, through the same `transcribe_audio` the tab and the CLI use.
Scored on the speech time where one person talks alone: an enrolled person's time is right
when it carries their name; an unenrolled person's when it carries no enrolled name
("Speaker 2 (maybe Ana?)" counts as unnamed). The cost is the transcription's time with the
profiles over without.

Run: .venv/bin/python benchmarks/voice_profiles.py
"""

from __future__ import annotations

import itertools
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import report
from _datasets import ami_clips

from fmstudio.core import loading
from fmstudio.core.data.audio import SAMPLE_RATE, load_audio
from fmstudio.core.events import CancelToken, run_to_end
from fmstudio.core.speech.dataset import wav_bytes
from fmstudio.core.speech.requests import SpeechOptions
from fmstudio.core.speech.speakers import enroll, voice_of
from fmstudio.core.speech.transcribe import transcribe_audio
from fmstudio.core.speech.voices import NAMED_AT, VoiceLibrary

Turn = tuple[str, float, float]
CASES = (  # (recording, person) enrolled, then recordings to name speakers in
    ((("dev00", "MEE009"), ("dev00", "MEE012")), ("dev01", "trn09")),
    ((("trn06", "FEE083"), ("dev00", "MEE009")), ("trn09", "dev01")),
    ((("tst00", "FEO072"), ("tst00", "MEE073")), ("tst01", "trn06")),
)
"""Every AMI clip here where a person talks alone for over a second twice and is heard in
another clip: MEE009 and MEE012 in dev01, FEE083 in trn09 (with two strangers), and four
people in tst01, who speak in turns of a second or less. Each target holds strangers too."""
MODEL = "whisper-base"


def solo(turns: list[Turn]) -> list[Turn]:
    """The parts of each turn that no other turn overlaps."""
    found = []
    for who, start, end in turns:
        parts = [(start, end)]
        for other, a, b in turns:
            if other == who:
                continue
            parts = [
                q
                for p in parts
                for q in (
                    [(p[0], min(p[1], a)), (max(p[0], b), p[1])] if a < p[1] and b > p[0] else [p]
                )
                if q[1] - q[0] > 0.05
            ]
        found += [(who, a, b) for a, b in parts]
    return found


def enrol_from(library: VoiceLibrary, path: Path, turns: list[Turn], who: str, tmp: Path) -> float:
    """Two clips of `who` alone (their two longest solo turns), enrolled; their seconds."""
    audio = load_audio(path)
    longest = sorted((t for t in solo(turns) if t[0] == who), key=lambda t: t[1] - t[2])[:2]
    clips = []
    for i, (_, start, end) in enumerate(longest):
        clip = tmp / f"{who}-{i}.wav"
        clip.write_bytes(wav_bytes(audio[int(start * SAMPLE_RATE) : int(end * SAMPLE_RATE)]))
        clips.append(clip)
    voice, problems = enroll(library, who, clips)
    assert voice is not None, problems
    return sum(end - start for _, start, end in longest)


def label_at(spans: list[Turn], t: float) -> str:
    for who, start, end in spans:
        if start <= t < end:
            return who
    return ""


def score(
    turns: list[Turn], spans: list[Turn], enrolled: tuple[str, ...]
) -> dict[str, list[float]]:
    """Per person: [seconds right, seconds] on a 10 ms grid of their solo speech."""
    per: dict[str, list[float]] = {}
    for who, start, end in solo(turns):
        for t in np.arange(start, end, 0.01):
            said = label_at(spans, float(t))
            right = said == who if who in enrolled else said not in enrolled
            counts = per.setdefault(who, [0.0, 0.0])
            counts[0] += 0.01 * right
            counts[1] += 0.01
    return per


def similarities(clips: dict[str, tuple[Path, list[Turn]]]) -> None:
    """How alike one person's voice is across two clips, and two people's: the ranges the
    naming thresholds (voices.NAMED_AT, MAYBE_AT) were set from."""
    vectors = {}
    for stem, (path, turns) in clips.items():
        audio = load_audio(path)
        for who in sorted({t[0] for t in turns}):
            spans = [(a, b) for w, a, b in solo(turns) if w == who]
            if sum(b - a for a, b in spans) >= 2.0:
                pieces = [audio[int(a * SAMPLE_RATE) : int(b * SAMPLE_RATE)] for a, b in spans]
                vectors[stem, who] = voice_of(np.concatenate(pieces))[0]
    same, other = [], []
    for (a, va), (b, vb) in itertools.combinations(vectors.items(), 2):
        if a[0] != b[0] or a[1] != b[1]:
            (same if a[1] == b[1] else other).append(float(va @ vb))
    print(
        f"one person in two clips: {min(same):.2f}-{max(same):.2f} ({len(same)} pairs); "
        f"two people: {min(other):.2f}-{max(other):.2f}, "
        f"{np.mean(np.array(other) < NAMED_AT):.0%} under {NAMED_AT} ({len(other)} pairs)"
    )


def transcribe_twice(model, audio: np.ndarray, homes: dict[bool, Path], times) -> list[Turn]:
    """The speakers found without profiles (timed only) and with them (kept)."""
    options = SpeechOptions(language="en", speakers=0)
    for with_profiles in (False, True):
        os.environ["FMSTUDIO_HOME"] = str(homes[with_profiles])
        started = time.perf_counter()
        found = run_to_end(transcribe_audio(model, audio, options, CancelToken()))
        times[with_profiles].append(time.perf_counter() - started)
    return [(s.speaker, s.start, s.end) for s in found.segments]


def main() -> None:
    clips = {path.stem: (path, turns) for path, turns in ami_clips()}
    similarities(clips)
    model = loading.cached_load(MODEL, "speech", "cpu")
    named, unnamed = [0.0, 0.0], [0.0, 0.0]
    times: dict[bool, list[float]] = {False: [], True: []}
    for enrolment, targets in CASES:
        people = tuple(who for _, who in enrolment)
        with tempfile.TemporaryDirectory() as tmp:
            homes = {True: Path(tmp) / "home", False: Path(tmp) / "empty"}
            os.environ["FMSTUDIO_HOME"] = str(homes[True])
            library = VoiceLibrary()
            seconds = [enrol_from(library, *clips[src], who, Path(tmp)) for src, who in enrolment]
            enrolled = zip(people, seconds, strict=True)
            print("enrolled " + ", ".join(f"{who} ({s:.1f} s)" for who, s in enrolled))
            for target in targets:
                spans = transcribe_twice(model, load_audio(clips[target][0]), homes, times)
                per = score(clips[target][1], spans, people)
                for who, (right, total) in sorted(per.items()):
                    tally = named if who in people else unnamed
                    tally[0] += right
                    tally[1] += total
                    kind = "enrolled" if who in people else "not enrolled"
                    print(f"  {target}: {who} ({kind}) {right / total:.0%} of {total:.1f} s right")
                print(f"  {target}: found {sorted({s[0] for s in spans})}")
    print(f"enrolled voices named right on {named[0] / named[1]:.1%} of {named[1]:.0f} s")
    print(f"unenrolled voices left unnamed on {unnamed[0] / unnamed[1]:.1%} of {unnamed[1]:.0f} s")
    with_, without = statistics.median(times[True]), statistics.median(times[False])
    report("median time with profiles", with_, "without", without, "s", "with / without")


if __name__ == "__main__":
    main()
