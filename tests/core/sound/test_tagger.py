"""The bundled YAMNet on sounds made here: what it hears, when, and what it cannot read."""

from __future__ import annotations

import subprocess
import wave
from pathlib import Path

import numpy as np
import pytest

from fmstudio.core.data.audio import SAMPLE_RATE, load_audio
from fmstudio.core.events import run_to_end
from fmstudio.core.sound.classify import classify_sounds
from fmstudio.core.sound.requests import ClassifySounds
from fmstudio.core.sound.yamnet import SoundTagger, model_folder
from tests.datasets import espeak, write_tone


def _write(path: Path, samples: np.ndarray) -> Path:
    with wave.open(str(path), "wb") as f:
        f.setnchannels(1)
        f.setsampwidth(2)
        f.setframerate(SAMPLE_RATE)
        f.writeframes((np.clip(samples, -1, 1) * 32767).astype("<i2").tobytes())
    return path


@pytest.fixture(scope="module")
def tagger() -> SoundTagger:
    return SoundTagger()


def test_speech_then_a_tone_make_two_segments_in_order(tmp_path: Path, tagger) -> None:
    speech = load_audio(espeak(tmp_path / "s.wav", "The quick brown fox jumps over the lazy dog."))
    tone = load_audio(write_tone(tmp_path / "t.wav", 3.0, 0.4, 1000.0))
    gap = np.zeros(SAMPLE_RATE, np.float32)
    clip = _write(tmp_path / "both.wav", np.concatenate([speech, gap, tone]))
    (result,) = run_to_end(classify_sounds(ClassifySounds((str(clip),), top_k=3)))
    labels = [s.label for s in result.segments]
    assert labels[0] == "Speech" and labels[-1] != "Speech"
    tone_starts = (len(speech) + len(gap)) / SAMPLE_RATE
    assert abs(result.segments[-1].start - tone_starts) <= 0.75
    assert result.segments[-1].end == pytest.approx(result.duration)
    assert result.predictions[0].label in {"Speech", result.segments[-1].label}
    assert {"Speech", result.segments[-1].label} <= {p.label for p in result.predictions}


def test_odd_files_are_heard_or_named_with_their_reason(tmp_path: Path) -> None:
    short = write_tone(tmp_path / "short.wav", 0.1)
    six = tmp_path / "six.wav"  # 6 channels at 8 kHz
    subprocess.run(["sox", "-n", "-r", "8000", "-c", "6", str(six), "synth", "2", "sine", "300"],
                   check=True)  # fmt: skip
    silent = write_tone(tmp_path / "silent.wav", 2.0, amplitude=0.0)
    broken = tmp_path / "broken.mp3"
    broken.write_bytes(b"ID3 but nothing else")
    results = run_to_end(
        classify_sounds(ClassifySounds(tuple(str(p) for p in (short, six, silent, broken))))
    )
    by_name = {Path(r.path).name: r for r in results}
    assert by_name["short.wav"].ok and by_name["short.wav"].duration == pytest.approx(0.1)
    assert by_name["six.wav"].ok and by_name["six.wav"].duration == pytest.approx(2.0)
    assert by_name["silent.wav"].predictions[0].label == "Silence"
    assert (
        not by_name["broken.mp3"].ok and "not a readable audio file" in by_name["broken.mp3"].error
    )


def test_the_batch_copy_is_made_once_and_scores_as_one_patch_at_a_time(tagger) -> None:
    folder = model_folder()
    assert model_folder() == folder and (folder / "model.data").is_file()
    noise = np.random.default_rng(0).normal(0, 0.2, SAMPLE_RATE * 5).astype(np.float32)
    together = tagger.patch_scores(noise)
    one_by_one = np.concatenate(  # patch i: frames 48i to 48i+95, 95 hops and one FFT long
        [tagger.patch_scores(noise[i * 7680 : i * 7680 + 15712]) for i in range(len(together))]
    )
    np.testing.assert_allclose(together, one_by_one, atol=1e-6)
