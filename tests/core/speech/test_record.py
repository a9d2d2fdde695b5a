"""Recording with a file played as a microphone: the WAV on disk, live text, the final pass."""

from __future__ import annotations

import threading
import wave
from pathlib import Path

import numpy as np
import pytest

from fmstudio.core import loading
from fmstudio.core.data.audio import load_audio
from fmstudio.core.data.capture import CaptureEnded, Level
from fmstudio.core.data.recording import StreamResampler, WavWriter
from fmstudio.core.data.sources import FileSource
from fmstudio.core.errors import Cancelled
from fmstudio.core.events import CancelToken, run_to_end
from fmstudio.core.speech.events import LiveText
from fmstudio.core.speech.record import AudioBuffer, record
from fmstudio.core.speech.recordings import list_recordings
from fmstudio.core.speech.requests import Record
from fmstudio.core.speech.transcripts import Recording, Transcript
from tests.checks import word_error_rate


@pytest.fixture(scope="module")
def whisper():
    return loading.load("whisper-tiny.en", "speech")


@pytest.mark.slow
def test_recording_matches_what_was_spoken(
    speech_wav: tuple[Path, str], whisper, fm_home: Path
) -> None:
    path, said = speech_wav
    events: list[object] = []
    recording = run_to_end(
        record(Record(FileSource(path), model=whisper), stop=threading.Event()), events.append
    )
    assert isinstance(recording, Recording)
    saved, transcript = recording.path, recording.transcript
    assert saved.is_relative_to(fm_home) and saved in list_recordings()
    original = load_audio(path)
    recorded = load_audio(saved)
    assert len(recorded) == len(original)
    assert np.max(np.abs(recorded - original)) < 2 / 32767 + 1e-4  # 16-bit rounding only
    assert isinstance(transcript, Transcript) and word_error_rate(said, transcript.text) <= 0.35
    (ended,) = [e for e in events if isinstance(e, CaptureEnded)]
    assert ended.seconds == pytest.approx(len(original) / 16000, abs=0.01)
    levels = [e for e in events if isinstance(e, Level)]
    assert levels and levels[-1].elapsed_s == pytest.approx(len(original) / 16000, abs=0.01)
    assert max(e.peak for e in levels) > 0.05
    live = [e for e in events if isinstance(e, LiveText)]
    assert live and any(e.committed or e.tentative for e in live)
    assert events.index(live[0]) < len(events) - 1


def test_stop_ends_the_recording_early(speech_wav: tuple[Path, str], tmp_path: Path) -> None:
    stop = threading.Event()
    source = FileSource(speech_wav[0])
    job = record(Record(source, path=tmp_path / "short.wav"), stop=stop)
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
    request = Record(
        FileSource(speech_wav[0]), model=whisper, live=False, path=tmp_path / "kept.wav"
    )
    events = record(request, stop=threading.Event(), cancel=token)
    with pytest.raises(Cancelled):
        for i, _ in enumerate(events):
            if i == 3:
                token.cancel()
    assert (tmp_path / "kept.wav").stat().st_size > 44


@pytest.mark.parametrize("rate", [16000, 44100, 48000, 8000])
def test_block_resampling_matches_resampling_the_whole(rate: int) -> None:
    rng = np.random.default_rng(rate)
    audio = rng.standard_normal(rate * 2).astype(np.float32)
    whole_positions = np.arange(0, len(audio) - 1, rate / 16000)
    whole = np.interp(whole_positions, np.arange(len(audio)), audio) if rate != 16000 else audio
    resampler, buffer = StreamResampler(rate), AudioBuffer()
    for start in range(0, len(audio), 1234):
        buffer.append(resampler.push(audio[start : start + 1234]))
    assert buffer.size == len(whole)
    assert np.allclose(buffer.since(0), whole, atol=1e-6)
    assert np.array_equal(buffer.since(buffer.size - 10), buffer.since(0)[-10:])


def test_a_killed_recording_keeps_every_block_written(
    speech_wav: tuple[Path, str], tmp_path: Path
) -> None:
    """kill -9 while recording: the WAV is valid and plays up to the last block."""
    import signal
    import subprocess
    import sys
    import time

    target = tmp_path / "killed.wav"
    code = (
        "import threading\n"
        "from fmstudio.core.events import run_to_end\n"
        "from fmstudio.core.speech.requests import Record\n"
        "from fmstudio.core.speech.record import record\n"
        "from fmstudio.core.data.sources import FileSource\n"
        f"source = FileSource({str(speech_wav[0])!r}, realtime=1.0)\n"
        f"request = Record(source, live=False, path=__import__('pathlib').Path({str(target)!r}))\n"
        "print('ready', flush=True)\n"
        "run_to_end(record(request, stop=threading.Event()))\n"
    )
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
    deadline = time.monotonic() + 30
    while (not target.exists() or target.stat().st_size < 44 + 1600 * 2 * 5) and (
        time.monotonic() < deadline
    ):
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait(10)
    with wave.open(str(target)) as w:
        frames = w.getnframes()
        assert frames >= 1600 * 5 and frames % 1600 == 0  # whole blocks, none half-counted
        assert len(w.readframes(frames)) == frames * 2
    assert frames < len(load_audio(speech_wav[0]))  # it really was cut short


def test_a_full_disk_stops_the_recording_and_keeps_what_was_written(
    speech_wav: tuple[Path, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import errno

    from fmstudio.core.events import Log

    class FillingFile:
        """The WAV's file object, on a disk that fills up during the fourth block."""

        def __init__(self, real) -> None:
            self.real, self.blocks = real, 0

        def write(self, data: bytes) -> int:
            if len(data) > 44:  # a block of samples, not the header
                self.blocks += 1
            return self.real.write(data)

        def flush(self) -> None:
            if self.blocks == 4:
                raise OSError(errno.ENOSPC, "No space left on device")
            self.real.flush()

        def __getattr__(self, name: str):
            return getattr(self.real, name)

    original_init = WavWriter.__init__

    def on_a_small_disk(self: WavWriter, path: Path, sample_rate: int) -> None:
        original_init(self, path, sample_rate)
        self._fh = FillingFile(self._fh)

    monkeypatch.setattr(WavWriter, "__init__", on_a_small_disk)
    target = tmp_path / "full.wav"
    events = []
    job = record(Record(FileSource(speech_wav[0]), path=target), stop=threading.Event())
    recording = run_to_end(job, events.append)
    assert recording.path == target
    warning = [e for e in events if isinstance(e, Log) and e.level == "warning"]
    assert "No space left on device" in warning[0].message and "is kept" in warning[0].message
    with wave.open(str(target)) as w:
        assert w.getnframes() == 3 * 1600, "the three blocks written before the disk filled"


@pytest.mark.slow
def test_live_text_follows_the_speech_within_a_second_of_audio(
    speech_wav: tuple[Path, str], whisper, tmp_path: Path
) -> None:
    """Live passes run every half second of audio (or as long as a pass takes), so the first
    words show soon after they are said: measured in audio time, as the file plays at once."""
    audio = load_audio(speech_wav[0])
    frames = audio[: len(audio) // 480 * 480].reshape(-1, 480)
    onset = np.nonzero(np.sqrt((frames**2).mean(axis=1)) > 0.01)[0][0] * 480 / 16000
    events: list[object] = []
    request = Record(FileSource(speech_wav[0]), model=whisper, path=tmp_path / "live.wav")
    run_to_end(record(request, stop=threading.Event()), events.append)
    elapsed, first_words = 0.0, None
    passes = 0
    for event in events:
        if isinstance(event, Level):
            elapsed = event.elapsed_s
        elif isinstance(event, LiveText):
            passes += 1
            if first_words is None and (event.committed or event.tentative):
                first_words = elapsed
    assert first_words is not None and first_words - onset <= 1.5, (onset, first_words)
    assert passes >= int(len(audio) / 16000), "a pass at least every second of audio"


@pytest.mark.slow
def test_a_longer_recording_with_live_text_leaks_no_threads_or_files(
    speech_wav: tuple[Path, str], whisper, tmp_path: Path
) -> None:
    """The short version of benchmarks/soak_recording.py (30 minutes there)."""
    import os
    import subprocess

    looped = tmp_path / "looped.wav"
    subprocess.run(["sox", *[str(speech_wav[0])] * 4, str(looped)], check=True)
    counts = []
    for round_ in range(3):  # the first warms up: threads a library starts once are not leaks
        request = Record(FileSource(looped), model=whisper, path=tmp_path / f"r{round_}.wav")
        events: list[object] = []
        result = run_to_end(record(request, stop=threading.Event()), events.append)
        assert sum(isinstance(e, LiveText) for e in events) >= int(len(load_audio(looped)) / 16000)
        assert len(load_audio(result.path)) == len(load_audio(looped))
        counts.append((threading.active_count(), len(os.listdir("/proc/self/fd"))))
    assert counts[1] == counts[2], [t.name for t in threading.enumerate()]


def test_the_live_buffer_forgets_committed_audio() -> None:
    """30 minutes of recording must not keep 30 minutes of samples for the live text."""
    rng = np.random.default_rng(0)
    buffer, blocks = AudioBuffer(), []
    for i in range(3000):  # 5 minutes of 0.1 s blocks
        block = rng.random(1600).astype(np.float32)
        buffer.append(block)
        blocks.append(block)
        if i % 5 == 0:
            buffer.drop_before(buffer.size - 16000 * 8)  # live text committed all but 8 s
    whole = np.concatenate(blocks)
    assert buffer.size == len(whole)
    assert np.array_equal(buffer.since(buffer.size - 16000 * 8), whole[-16000 * 8 :])
    assert buffer.nbytes <= 4 * 16000 * 20, "about the live window, not the recording"


@pytest.mark.usefixtures("hung_sound_system")
def test_a_hung_sound_system_turns_recording_off_and_a_stop_never_waits_for_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from fmstudio.core.data import inputs

    monkeypatch.setattr(inputs, "PROBE_PATIENCE_S", 0.3)
    found = run_to_end(inputs.probe_inputs())
    assert found.unavailable and "did not answer within" in found.unavailable
    assert "restart fmstudio" in found.unavailable
    cancel = CancelToken()
    threading.Timer(0.1, cancel.cancel).start()
    monkeypatch.setattr(inputs, "PROBE_PATIENCE_S", 30.0)
    with pytest.raises(Cancelled):
        run_to_end(inputs.probe_inputs(cancel=cancel))


def test_the_probe_finds_what_portaudio_lists() -> None:
    from fmstudio.core.data import inputs

    found = run_to_end(inputs.probe_inputs())
    assert found == inputs._inputs()
