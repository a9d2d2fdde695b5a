"""Who spoke when: the real speaker encoder and Whisper on espeak-ng conversations."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch

from fmstudio.core import loading
from fmstudio.core.data.audio import SAMPLE_RATE, load_audio
from fmstudio.core.events import CancelToken, run_to_end
from fmstudio.core.speech import writers
from fmstudio.core.speech.requests import SpeechOptions
from fmstudio.core.speech.scoring import speaker_time_accuracy
from fmstudio.core.speech.speaker_encoder import embed_windows, mel_frames, normalise_loudness
from fmstudio.core.speech.speakers import _runs
from fmstudio.core.speech.transcribe import transcribe_audio
from fmstudio.core.speech.transcripts import Segment, Transcript, Word
from tests.datasets import VOICES, alternating, make_conversation


@pytest.fixture(scope="module")
def conversation(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list]:
    path = tmp_path_factory.mktemp("talk") / "talk.wav"
    return path, make_conversation(path, alternating()[:6])


def _transcribe(path: Path, options: SpeechOptions) -> Transcript:
    model = loading.cached_load("whisper-tiny.en", "speech")
    return run_to_end(transcribe_audio(model, load_audio(path), options, CancelToken()))


def _spans(t: Transcript) -> list[tuple[str, float, float]]:
    return [(s.speaker, s.start, s.end) for s in t.segments]


@pytest.mark.slow
@pytest.mark.parametrize("count", [0, 2])
def test_two_voices_are_told_apart_without_changing_a_word(conversation, count):
    path, turns = conversation
    plain = _transcribe(path, SpeechOptions(language="en"))
    found = _transcribe(path, SpeechOptions(language="en", speakers=count))
    assert found.speakers == ["Speaker 1", "Speaker 2"]
    assert speaker_time_accuracy(turns, _spans(found)) >= 0.9
    assert found.text.split() == plain.text.split()
    assert all(s.spoken_words() for s in found.segments)  # found for speakers, and kept


def test_one_voice_is_one_speaker(tmp_path: Path):
    path = tmp_path / "alone.wav"
    make_conversation(path, alternating(voices=(VOICES[0],))[:5])
    found = _transcribe(path, SpeechOptions(language="en", speakers=0))
    assert found.speakers == ["Speaker 1"]


def test_more_speakers_asked_for_than_there_are_never_crashes(tmp_path: Path):
    path = tmp_path / "short.wav"
    make_conversation(path, alternating()[:2])
    found = _transcribe(path, SpeechOptions(language="en", speakers=6))
    assert 1 <= len(found.speakers) <= len(found.segments)
    assert all(s.speaker for s in found.segments)


def test_silence_and_a_short_file_give_a_sensible_answer(tmp_path: Path, speech_wav):
    model = loading.cached_load("whisper-tiny.en", "speech")
    silent = np.zeros(SAMPLE_RATE * 3, np.float32)
    quiet = run_to_end(
        transcribe_audio(model, silent, SpeechOptions(speakers=0), CancelToken(), "silence")
    )
    assert quiet.segments == [] and quiet.speakers == []
    short = load_audio(speech_wav[0])[: SAMPLE_RATE * 2]
    found = run_to_end(transcribe_audio(model, short, SpeechOptions(speakers=0), CancelToken()))
    assert found.speakers in ([], ["Speaker 1"])


def test_loudness_does_not_change_the_voice(speech_wav):
    audio = load_audio(speech_wav[0])
    windows = [(0, 160), (40, 160)]
    loud = embed_windows(mel_frames(normalise_loudness(audio)), windows)
    soft = embed_windows(mel_frames(normalise_loudness(audio * 0.05)), windows)
    assert np.allclose(loud, soft, atol=1e-3)
    assert np.allclose(np.linalg.norm(loud, axis=1), 1.0, atol=1e-5)


def test_a_word_or_two_does_not_make_a_turn():
    words = [Word(i * 0.5, i * 0.5 + 0.4, f" w{i}") for i in range(8)]
    runs = _runs(words, [1, 0, 0, 1, 0, 0, 0, 1])
    assert [(who, len(ws)) for who, ws in runs] == [(0, 8)]  # a lone word, first or last, too
    runs = _runs(words, [0, 0, 0, 0, 1, 1, 1, 1])
    assert [(who, len(ws)) for who, ws in runs] == [(0, 4), (1, 4)]


def test_exports_carry_speakers():
    t = Transcript(
        "talk.wav",
        "Hello there. Hi.",
        segments=[
            Segment(0.0, 1.5, "Hello there.", "Ana"),
            Segment(1.5, 2.0, "Hi <b>.", "Speaker 2"),
        ],
    )
    assert writers.to_txt(t) == "Ana: Hello there.\nSpeaker 2: Hi <b>.\n"
    assert "00:00:00,000 --> 00:00:01,500\nAna: Hello there." in writers.to_srt(t)
    assert "<v Speaker 2>Hi &lt;b&gt;." in writers.to_vtt(t)
    segments = json.loads(writers.to_json(t))["segments"]
    assert [s["speaker"] for s in segments] == ["Ana", "Speaker 2"]
    plain = Transcript("a.wav", "x", segments=[Segment(0.0, 1.0, "x")])
    assert "speaker" not in json.loads(writers.to_json(plain))["segments"][0]
    assert writers.to_txt(plain) == "x\n"


@pytest.mark.slow
def test_a_recording_gets_speakers_after_stop_and_live_text_never_runs_them(
    conversation, monkeypatch
):
    import threading

    from fmstudio.core.data.sources import FileSource
    from fmstudio.core.speech import speakers
    from fmstudio.core.speech.events import LiveText
    from fmstudio.core.speech.record import record
    from fmstudio.core.speech.requests import Record

    path, turns = conversation
    calls: list[int] = []
    original = speakers.find_speakers

    def counted(*args, **kwargs):
        calls.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(speakers, "find_speakers", counted)
    events: list[object] = []
    options = SpeechOptions(language="en", speakers=0)
    request = Record(FileSource(path), model="whisper-tiny.en", options=options)
    recording = run_to_end(record(request, stop=threading.Event()), events.append)
    assert any(isinstance(e, LiveText) for e in events)
    assert len(calls) == 1  # the final pass only
    found = recording.transcript
    assert found.speakers == ["Speaker 1", "Speaker 2"]
    assert speaker_time_accuracy(turns, _spans(found)) >= 0.9


def test_music_and_long_silence_around_speech(tmp_path: Path, speech_wav):
    """A tone chord (music-like), 6 s of silence, then speech: an answer, never a crash."""
    t = np.arange(SAMPLE_RATE * 3) / SAMPLE_RATE
    chord = sum(0.1 * np.sin(2 * np.pi * f * t) for f in (262, 330, 392)).astype(np.float32)
    silence = np.zeros(SAMPLE_RATE * 6, np.float32)
    audio = np.concatenate([chord, silence, load_audio(speech_wav[0]), silence])
    model = loading.cached_load("whisper-tiny.en", "speech")
    found = run_to_end(transcribe_audio(model, audio, SpeechOptions(speakers=0), CancelToken()))
    assert 1 <= len(found.speakers) <= 2
    assert "lazy dog" in found.text.lower()


@pytest.mark.slow
def test_speakers_leave_every_word_of_the_plain_pass(tmp_path: Path) -> None:
    """Word timestamps moved faster-whisper's windows: this call gained an invented
    "Thank you." at its end when speakers were asked for."""
    path = tmp_path / "call.wav"
    make_conversation(path, alternating())
    plain = _transcribe(path, SpeechOptions(language="en"))
    found = _transcribe(path, SpeechOptions(language="en", speakers=0))
    assert [s.text for s in found.segments] == [s.text for s in plain.segments]
    assert found.speakers == ["Speaker 1", "Speaker 2"]


@pytest.mark.slow
def test_aligned_words_spell_each_segment_and_fall_inside_it(tmp_path: Path) -> None:
    from fmstudio.core.speech.align import align_words

    path = tmp_path / "no-pauses.wav"
    make_conversation(path, alternating()[:4], gap=0.0)  # turns change inside segments
    audio = load_audio(path)
    model = loading.cached_load("whisper-tiny.en", "speech")
    plain = _transcribe(path, SpeechOptions(language="en"))
    aligned = align_words(model.model, audio, plain.segments, "en")
    assert [s.text for s in aligned] == [s.text for s in plain.segments]
    for segment in aligned:
        assert "".join(w.text for w in segment.words).strip() == segment.text
        starts = [w.start for w in segment.words]
        assert starts == sorted(starts)
        assert segment.start - 1.0 <= starts[0] and segment.words[-1].end <= segment.end + 1.0


def test_without_the_speaker_encoder_the_words_still_come(
    speech_wav, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A pip install without the encoder transcribed for 39 s, then printed nothing."""
    import importlib.util

    from fmstudio.core.events import Log
    from fmstudio.core.speech import speaker_encoder

    real_find_spec = importlib.util.find_spec
    monkeypatch.setattr(speaker_encoder, "PACKAGED", tmp_path / "absent.safetensors")
    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda name, *a: None if name == "resemblyzer" else real_find_spec(name, *a),
    )
    speaker_encoder.load_encoder.cache_clear()
    said: list[Log] = []
    try:
        model = loading.cached_load("whisper-tiny.en", "speech")
        job = transcribe_audio(
            model, load_audio(speech_wav[0]), SpeechOptions(speakers=0), CancelToken()
        )
        found = run_to_end(job, lambda e: said.append(e) if isinstance(e, Log) else None)
    finally:
        speaker_encoder.load_encoder.cache_clear()
    assert "lazy dog" in found.text.lower() and found.speakers == []
    warning = [e.message for e in said if e.level == "warning"]
    assert warning and "no speakers" in warning[0] and "not installed" in warning[0]


def test_a_release_carries_the_encoder_weights_as_safetensors(tmp_path: Path) -> None:
    """`make dist` packs them, so a pip install needs no Resemblyzer (whose webrtcvad compiles)."""
    from safetensors.torch import load_file

    from fmstudio.core.speech import speaker_encoder

    packed = speaker_encoder.package_weights(tmp_path / "speaker_encoder.safetensors")
    state = load_file(str(packed))
    reference = speaker_encoder.resemblyzer_state()
    assert state.keys() == reference.keys()
    assert all(torch.equal(state[k], reference[k]) for k in state)


def _cut(turns: list, every: float) -> list[Segment]:
    """Segments of `every` seconds over the conversation, blind to its turns, with a word
    every 0.3 s (as a Whisper model that cuts its segments elsewhere would write them)."""
    end = max(t[2] for t in turns)
    segments, start = [], 0.0
    while start < end:
        stop = min(start + every, end)
        times = np.arange(start, stop - 0.15, 0.3)
        words = tuple(Word(float(a), float(a) + 0.25, " w") for a in times)
        segments.append(Segment(start, stop, "w" * len(words), words=words))
        start = stop
    return segments


@pytest.mark.slow
def test_speakers_do_not_depend_on_where_the_transcript_cuts_its_segments(conversation):
    """whisper-base found 3 speakers in a real two-person call where tiny.en found 2: the
    speakers were looked for inside each model's segments."""
    from fmstudio.core.speech.speakers import find_speakers

    path, turns = conversation
    audio = load_audio(path)
    by_turn = [Segment(a, b, "w", words=(Word(a, b, " w"),)) for _, a, b in turns]
    for segments in (by_turn, _cut(turns, 7.0), _cut(turns, 2.3)):
        found = find_speakers(audio, segments)
        assert len({s.speaker for s in found}) == 2
        assert speaker_time_accuracy(turns, [(s.speaker, s.start, s.end) for s in found]) >= 0.85
