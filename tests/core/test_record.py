"""Recording with a file played as a microphone: the WAV on disk, live text, the final pass."""

from __future__ import annotations

import threading
import wave
from pathlib import Path

import numpy as np
import pytest

from fmstudio.core import catalog
from fmstudio.core.data.audio import load_audio
from fmstudio.core.errors import Cancelled
from fmstudio.core.events import CancelToken, run_to_end
from fmstudio.core.speech.record import (
    FileSource,
    Level,
    LiveText,
    WavWriter,
    list_recordings,
    record,
)
from fmstudio.core.speech.transcribe import Transcript
from tests.core.test_speech import word_error_rate


@pytest.fixture(scope="module")
def whisper():
    return catalog.load("whisper-tiny.en", "speech")


def test_recording_matches_what_was_spoken(
    speech_wav: tuple[Path, str], whisper, fm_home: Path
) -> None:
    path, said = speech_wav
    events: list[object] = []
    saved, transcript = run_to_end(
        record(FileSource(path), threading.Event(), live_model=whisper, final_model=whisper),
        events.append,
    )
    assert saved.is_relative_to(fm_home) and saved in list_recordings()
    original = load_audio(path)
    recorded = load_audio(saved)
    assert len(recorded) == len(original)
    assert np.max(np.abs(recorded - original)) < 2 / 32767 + 1e-4  # 16-bit rounding only
    assert isinstance(transcript, Transcript) and word_error_rate(said, transcript.text) <= 0.35
    levels = [e for e in events if isinstance(e, Level)]
    assert levels and levels[-1].elapsed_s == pytest.approx(len(original) / 16000, abs=0.01)
    assert max(e.peak for e in levels) > 0.05
    live = [e for e in events if isinstance(e, LiveText)]
    assert live and any(e.committed or e.tentative for e in live)
    assert events.index(live[0]) < len(events) - 1


def test_stop_ends_the_recording_early(speech_wav: tuple[Path, str], tmp_path: Path) -> None:
    stop = threading.Event()
    source = FileSource(speech_wav[0])
    job = record(source, stop, path=tmp_path / "short.wav")
    seen = 0
    for event in job:
        if isinstance(event, Level):
            seen += 1
            if seen == 5:
                stop.set()
    with wave.open(str(tmp_path / "short.wav")) as w:
        assert w.getnframes() == 5 * 1600


def test_wav_is_valid_after_every_block(tmp_path: Path) -> None:
    target = tmp_path / "partial.wav"
    writer = WavWriter(target, 16000)
    writer.write(np.full(800, 0.5, dtype=np.float32))
    with wave.open(str(target)) as w:  # readable while still open, as after a crash
        assert w.getnframes() == 800 and w.getframerate() == 16000
    writer.close()


def test_cancel_keeps_the_recording(speech_wav: tuple[Path, str], tmp_path: Path, whisper) -> None:
    token = CancelToken()
    events = record(
        FileSource(speech_wav[0]),
        threading.Event(),
        token,
        tmp_path / "kept.wav",
        final_model=whisper,
    )
    with pytest.raises(Cancelled):
        for i, _ in enumerate(events):
            if i == 3:
                token.cancel()
    assert (tmp_path / "kept.wav").stat().st_size > 44
