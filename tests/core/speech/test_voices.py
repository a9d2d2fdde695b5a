"""Voice profiles: the library on disk, matching speakers to voices, and the real encoder
naming an enrolled espeak-ng voice in a conversation while the other stays unnamed."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from fmstudio.core.errors import FmError
from fmstudio.core.speech import voices as voices_module
from fmstudio.core.speech.requests import SpeechOptions
from fmstudio.core.speech.speakers import _named, enroll
from fmstudio.core.speech.transcripts import Segment
from fmstudio.core.speech.voices import MAYBE_AT, NAMED_AT, Voice, VoiceLibrary, match_voices
from tests.core.speech.test_speakers import _transcribe
from tests.datasets import VOICES, alternating, enrolment_clips, make_conversation


def _unit(*values: float) -> np.ndarray:
    v = np.array(values, dtype=np.float32)
    return v / np.linalg.norm(v)


def _alike(base: np.ndarray, similarity: float) -> np.ndarray:
    """A unit vector at exactly `similarity` (cosine) to `base`, in base's plane with e2."""
    other = np.zeros_like(base)
    other[2] = 1.0
    other -= (other @ base) * base
    other /= np.linalg.norm(other)
    return similarity * base + np.sqrt(1 - similarity**2) * other


def test_the_library_keeps_vectors_merges_renames_and_forgets(tmp_path: Path):
    library = VoiceLibrary(tmp_path / "voices")
    library.add("Ana", _unit(1, 0, 0), 10.0)
    library.add("ana ", _unit(0, 1, 0), 30.0)  # the same name, any case: learns more
    ana = library.get("ANA")
    assert ana is not None and ana.name == "Ana" and ana.seconds == 40.0
    assert np.allclose(ana.vector, _unit(1, 3, 0), atol=1e-5)  # weighted by seconds
    saved = json.loads(next((tmp_path / "voices").glob("*.json")).read_text())
    assert set(saved) == {"name", "seconds", "vector"}  # a vector, never audio
    library.add("Bo", _unit(0, 0, 1), 5.0)
    library.rename("Bo", "Bob")
    assert [v.name for v in library.voices()] == ["Ana", "Bob"]
    merged = library.merge("Ana", "Bob")
    assert merged.seconds == 45.0 and [v.name for v in library.voices()] == ["Ana"]
    library.remove("ana")
    assert library.voices() == []
    with pytest.raises(FmError, match="no voice named 'Cy'"):
        library.remove("Cy")
    with pytest.raises(FmError, match="numbers unnamed speakers"):
        library.add("Speaker 2", _unit(1, 0, 0), 1.0)
    assert not list((tmp_path / "voices").glob(".*"))  # no temp file left behind


def test_a_broken_profile_is_named_and_the_others_still_load(tmp_path: Path):
    library = VoiceLibrary(tmp_path)
    library.add("Ana", _unit(1, 0, 0), 3.0)
    (tmp_path / "broken.json").write_text("{not json")
    (tmp_path / "zero.json").write_text(json.dumps({"name": "Z", "vector": [0, 0, 0]}))
    voices, problems = library.load()
    assert [v.name for v in voices] == ["Ana"]
    assert len(problems) == 2 and all("not a voice profile" in p for p in problems)
    assert "broken.json" in problems[0]


def test_one_voice_names_one_speaker_the_most_alike():
    ana = Voice("Ana", _unit(1, 0, 0, 0), 10.0)
    speakers = np.stack([_alike(ana.vector, 0.9), _alike(ana.vector, 0.95)])
    matches = match_voices(speakers, [ana])
    assert [(m.speaker, m.voice.name) for m in matches] == [(1, "Ana")]
    assert match_voices(_alike(ana.vector, MAYBE_AT - 0.01)[None], [ana]) == []


def test_speakers_are_named_maybe_named_or_numbered():
    ana, bo = Voice("Ana", _unit(1, 0, 0, 0), 1.0), Voice("Bo", _unit(0, 1, 0, 0), 1.0)
    centres = np.stack(
        [
            _unit(0, 0, 0, 1),  # a stranger
            _alike(ana.vector, NAMED_AT + 0.02),
            _alike(bo.vector, (NAMED_AT + MAYBE_AT) / 2),
        ]
    )
    segments = [Segment(i, i + 1, "hi", str(k)) for i, k in enumerate((0, 1, 2, 0))]
    named = [s.speaker for s in _named(segments, centres, [ana, bo])]
    assert named == ["Speaker 1", "Ana", "Speaker 2 (maybe Bo?)", "Speaker 1"]
    without_voices = [s.speaker for s in _named(segments, centres, [])]
    assert without_voices == ["Speaker 1", "Speaker 2", "Speaker 3", "Speaker 1"]


def test_enrolling_names_that_voice_and_not_the_other(tmp_path: Path, monkeypatch):
    clips = enrolment_clips(tmp_path / "enrol", VOICES[0])
    silent = tmp_path / "enrol" / "silent.wav"
    silent.write_bytes(_silence())
    voice, problems = enroll(VoiceLibrary(), "Ana", [*clips, silent, tmp_path / "gone.wav"])
    assert voice is not None and voice.seconds > 4
    assert len(problems) == 2 and "silent.wav: no speech heard" in problems[0]
    assert "gone.wav" in problems[1]
    talk = tmp_path / "talk.wav"
    make_conversation(talk, alternating()[:6])  # VOICES[0] first, then VOICES[1]
    found = _transcribe(talk, SpeechOptions(language="en", speakers=0))
    assert found.speakers == ["Ana", "Speaker 1"]
    monkeypatch.setattr(voices_module, "NAMED_AT", 1.01)  # nobody is ever sure enough
    monkeypatch.setattr("fmstudio.core.speech.speakers.NAMED_AT", 1.01)
    found = _transcribe(talk, SpeechOptions(language="en", speakers=0))
    assert found.speakers == ["Speaker 1 (maybe Ana?)", "Speaker 2"]


def _silence() -> bytes:
    from fmstudio.core.speech.dataset import wav_bytes

    return wav_bytes(np.zeros(16000 * 2, np.float32))
