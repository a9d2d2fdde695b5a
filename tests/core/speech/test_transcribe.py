"""Transcription with the real bundled Whisper on speech made by espeak-ng, and the writers."""

from __future__ import annotations

import json
import wave
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from fmstudio.core.errors import Cancelled, FmError
from fmstudio.core.events import CancelToken, Partial, Progress, run_to_end
from fmstudio.core.speech import writers
from fmstudio.core.speech.requests import SpeechOptions, Transcribe
from fmstudio.core.speech.transcribe import transcribe_files
from fmstudio.core.speech.transcripts import Segment, Transcript, Word
from tests.checks import TRANSCRIPT_KEYS, word_error_rate


def convert(src: Path, dst: Path, codec: str, rate: int) -> Path:
    """Re-encode with PyAV (the decoder fmstudio uses) into another container and codec."""
    import av

    with av.open(str(src)) as inp, av.open(str(dst), "w") as out:
        stream = out.add_stream(codec, rate=rate)
        stream.layout = "mono"
        resampler = av.AudioResampler(format=stream.codec_context.format, layout="mono", rate=rate)
        frames = [f for frame in inp.decode(audio=0) for f in resampler.resample(frame)]
        for frame in [*frames, *resampler.resample(None)]:
            frame.pts = None
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    return dst


def test_transcribes_espeak_speech_within_word_error_rate(speech_wav: tuple[Path, str]) -> None:
    path, said = speech_wav
    events: list[object] = []
    (t,) = run_to_end(
        transcribe_files(Transcribe((str(path),), options=SpeechOptions(beam_size=5))),
        events.append,
    )
    assert t.ok and t.language == "en"
    assert word_error_rate(said, t.text) <= 0.35, t.text
    assert 1.5 < t.duration < 10
    assert t.segments and all(0 <= s.start < s.end <= t.duration + 0.5 for s in t.segments)
    assert any(isinstance(e, Partial) for e in events)
    fractions = [e.fraction for e in events if isinstance(e, Progress)]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    # the bar names the file, not its whole path (which filled the bar in the window)
    assert any(path.name in e.message for e in events if isinstance(e, Progress))
    assert not any(str(path.parent) in e.message for e in events if isinstance(e, Progress))


@pytest.mark.parametrize(
    ("suffix", "codec", "rate"),
    [
        (".flac", "flac", 22050),
        (".ogg", "libopus", 48000),
        (".mp3", "libmp3lame", 22050),
        (".m4a", "aac", 22050),
        (".webm", "libopus", 48000),
    ],
)
def test_each_format_decodes_and_transcribes(
    tmp_path: Path, speech_wav: tuple[Path, str], suffix: str, codec: str, rate: int
) -> None:
    path, said = speech_wav
    encoded = convert(path, tmp_path / f"speech{suffix}", codec, rate)
    (original,) = run_to_end(transcribe_files(Transcribe((str(path),))))
    (t,) = run_to_end(transcribe_files(Transcribe((str(encoded),))))
    assert t.ok, t.error
    assert abs(t.duration - original.duration) < 0.1
    # Lossy codecs change what tiny.en hears a little; most words must survive.
    assert word_error_rate(said, t.text) <= 0.5, t.text


def test_bad_audio_gets_clear_results(tmp_path: Path, speech_wav: tuple[Path, str]) -> None:
    empty = tmp_path / "empty.wav"
    empty.write_bytes(b"")
    text = tmp_path / "notes.mp3"
    text.write_text("this is not audio at all")
    truncated = tmp_path / "cut.wav"
    truncated.write_bytes(speech_wav[0].read_bytes()[:30])
    silence = tmp_path / "silence.wav"
    with wave.open(str(silence), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(16000)
        w.writeframes(np.zeros(16000 * 2, dtype=np.int16).tobytes())
    inputs = [empty, text, truncated, silence, tmp_path / "missing.wav", speech_wav[0]]
    results = run_to_end(
        transcribe_files(
            Transcribe(tuple(map(str, inputs)), options=SpeechOptions(beam_size=1, vad=True))
        )
    )
    by_name = {Path(t.path).name: t for t in results}
    assert "empty" in by_name["empty.wav"].error
    assert "not a readable audio file" in by_name["notes.mp3"].error
    # FFmpeg's words, without its error type and number (they filled three status lines)
    assert "Errno" not in by_name["notes.mp3"].error and "Error:" not in by_name["notes.mp3"].error
    assert by_name["cut.wav"].error
    assert by_name["missing.wav"].error == "file not found"
    assert by_name["silence.wav"].ok and by_name["silence.wav"].text == ""
    assert by_name[speech_wav[0].name].ok and by_name[speech_wav[0].name].text


def test_english_only_model_refuses_other_languages(speech_wav: tuple[Path, str]) -> None:
    with pytest.raises(FmError, match="English only"):
        run_to_end(
            transcribe_files(
                Transcribe((str(speech_wav[0]),), options=SpeechOptions(language="de"))
            )
        )


def test_cancel(speech_wav: tuple[Path, str]) -> None:
    token = CancelToken()
    token.cancel()
    with pytest.raises(Cancelled):
        run_to_end(transcribe_files(Transcribe((str(speech_wav[0]),)), cancel=token))


SAMPLE = Transcript(
    "talk.wav",
    "Hello there. <b>Bold</b> & more",
    "en",
    3725.5,
    [
        Segment(0.0, 1.25, " Hello there. "),
        Segment(3661.5, 3725.5, "<b>Bold</b> & more"),
        Segment(3725.5, 3725.5, "  "),
    ],
)


def test_srt_numbering_and_timestamps() -> None:
    srt = writers.to_srt(SAMPLE)
    assert srt == (
        "1\n00:00:00,000 --> 00:00:01,250\nHello there.\n\n"
        "2\n01:01:01,500 --> 01:02:05,500\n<b>Bold</b> & more\n"
    )


def test_vtt_header_escaping_and_timestamps() -> None:
    vtt = writers.to_vtt(SAMPLE)
    assert vtt.startswith("WEBVTT\n\n00:00:00.000 --> 00:00:01.250\nHello there.\n")
    assert "01:01:01.500 --> 01:02:05.500\n&lt;b&gt;Bold&lt;/b&gt; &amp; more\n" in vtt


def test_vtt_carries_word_times_while_the_words_spell_the_text() -> None:
    words = (Word(1.0, 1.4, " Good"), Word(1.5, 1.9, " morning"), Word(2.0, 2.6, " all."))
    timed = Segment(1.0, 2.6, "Good morning all.", "Ana", words)
    vtt = writers.to_vtt(Transcript("t.wav", segments=[timed]))
    assert "<v Ana>Good <00:00:01.500>morning <00:00:02.000>all.\n" in vtt
    data = json.loads(writers.to_json(Transcript("t.wav", segments=[timed])))
    assert [w["start"] for w in data["segments"][0]["words"]] == [1.0, 1.5, 2.0]
    corrected = replace(timed, text="Good evening all.")  # the user's words, no times
    assert "<v Ana>Good evening all.\n" in writers.to_vtt(Transcript("t.wav", segments=[corrected]))


def test_json_and_txt(tmp_path: Path) -> None:
    data = json.loads(writers.to_json(SAMPLE))
    assert set(data) == TRANSCRIPT_KEYS
    assert data["segments"][1] == {"start": 3661.5, "end": 3725.5, "text": "<b>Bold</b> & more"}
    assert writers.to_txt(SAMPLE) == "Hello there.\n<b>Bold</b> & more\n"
    writer = writers.FolderWriter("srt", tmp_path / "out")
    target, again = writer.write(SAMPLE), writer.write(SAMPLE)
    assert target.name == "talk.srt" and target.read_text() == writers.to_srt(SAMPLE)
    assert again.name == "talk-2.srt"  # a second file of the same name keeps the first
    assert writers.timestamp(-1, ",") == "00:00:00,000"


def test_silence_gives_no_words_and_speech_keeps_its_own(
    tmp_path: Path, speech_wav: tuple[Path, str]
) -> None:
    """Plain tiny.en writes "You" for 5 s of digital silence (benchmarks/silence_quality.py)."""
    from fmstudio.core.speech.silence import loudest_dbfs, spoken

    rng = np.random.default_rng(0)
    silent = np.zeros(5 * 16_000, dtype=np.float32)
    hiss = (rng.standard_normal(5 * 16_000) * 10 ** (-60 / 20)).astype(np.float32)
    files = []
    for name, samples in (("silence", silent), ("hiss", hiss)):
        pcm = (samples * 32767).astype("<i2")
        with wave.open(str(tmp_path / f"{name}.wav"), "wb") as w:
            w.setnchannels(1)
            w.setsampwidth(2)
            w.setframerate(16_000)
            w.writeframes(pcm.tobytes())
        files.append(str(tmp_path / f"{name}.wav"))
    results = run_to_end(transcribe_files(Transcribe((*files, str(speech_wav[0])))))
    assert [t.segments for t in results[:2]] == [[], []]
    assert word_error_rate(speech_wav[1], results[2].text) < 0.35, "speech keeps its words"

    assert loudest_dbfs(silent) == float("-inf") and -62 < loudest_dbfs(hiss) < -58
    tone = np.sin(np.arange(16_000) / 16_000 * 2 * np.pi * 440).astype(np.float32) * 0.1
    assert not spoken(tone, 0.0, 1.0, ". . ."), "dots are not words"
    assert spoken(tone, 0.0, 1.0, "Hello.") and not spoken(silent, 0.0, 1.0, "You")


def test_speech_after_a_silent_lead_in_starts_when_it_is_spoken(
    speech_wav: tuple[Path, str], tmp_path: Path
) -> None:
    """A recording whose speech began 8 s in got a first segment at 0:00: its subtitles
    showed 8 s early."""
    from fmstudio.core.data.audio import SAMPLE_RATE, load_audio

    voice = load_audio(speech_wav[0])
    samples = np.concatenate([np.zeros(8 * SAMPLE_RATE, np.float32), voice])
    padded = tmp_path / "lead-in.wav"
    with wave.open(str(padded), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(SAMPLE_RATE)
        w.writeframes((np.clip(samples, -1, 1) * 32767).astype(np.int16).tobytes())
    [transcript] = run_to_end(transcribe_files(Transcribe((str(padded),))))
    assert transcript.segments and 7.5 <= transcript.segments[0].start <= 8.2


def test_subtitle_cues_last_long_enough_to_read(tmp_path: Path) -> None:
    """Whisper wrote a 60 ms "Great." cue; players flash it unread."""
    import av

    segments = [
        Segment(0.0, 1.5, "Hello there."),
        Segment(1.5, 1.56, "Great."),  # no room after it: joins the cue before
        Segment(1.6, 3.0, "Next one."),
        Segment(5.0, 5.2, "Yes."),  # room after it: lasts longer
        Segment(9.0, 9.1, "Bye.", "Speaker 2"),  # another speaker's: never joined
    ]
    t = Transcript("talk.wav", segments=segments)
    (tmp_path / "talk.srt").write_text(writers.to_srt(t))
    with av.open(str(tmp_path / "talk.srt")) as container:  # FFmpeg's SubRip reader
        stream = container.streams.subtitles[0]
        cues = [
            (float(p.pts * stream.time_base), float(p.duration * stream.time_base), bytes(p))
            for p in container.demux(stream)
            if p.pts is not None
        ]
    assert [text for *_, text in cues] == [
        b"Hello there. Great.",
        b"Next one.",
        b"Yes.",
        b"Speaker 2: Bye.",
    ]
    assert all(duration >= writers.MIN_CUE_SECONDS - 0.001 for _, duration, _ in cues)
    assert cues[2][0] == 5.0 and writers.to_vtt(t).count(" --> ") == 4
