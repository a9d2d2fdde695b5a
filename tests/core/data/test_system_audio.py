"""Recording what the computer plays: a real PulseAudio (tests/pulse.py), its monitor listed
as "System audio (…)", recorded through parec by the same record job as the microphone,
alone and mixed with the microphone into one file."""

from __future__ import annotations

import subprocess
import threading
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from fmstudio.core.data import system_audio
from fmstudio.core.data.audio import SAMPLE_RATE, load_audio
from fmstudio.core.data.capture import Level
from fmstudio.core.data.inputs import probe_inputs
from fmstudio.core.data.system_audio import MixedSource, ParecSource
from fmstudio.core.events import Event, run_to_end
from fmstudio.core.speech.record import record
from fmstudio.core.speech.requests import Record, SpeechOptions
from fmstudio.core.speech.transcripts import Recording
from tests import pulse

pytestmark = pytest.mark.slow  # a sound server, and real time


@pytest.fixture(scope="module")
def lines(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("lines")
    said = {
        "them": ("en-us+m3", "The system audio says the meeting starts at nine."),
        "you": ("en-us+f2", "And the microphone answers that it is too early."),
    }
    for name, (voice, text) in said.items():
        target = folder / f"{name}.wav"
        subprocess.run(["espeak-ng", "-v", voice, "-w", str(target), text], check=True)
    return {name: folder / f"{name}.wav" for name in said}


def test_monitors_are_listed_beside_the_microphones(sound):
    inputs = run_to_end(probe_inputs())
    names = dict(inputs.devices)
    assert names["system:speakers.monitor"] == "System audio (Speakers)"
    assert names["mix:speakers.monitor"] == "Microphone + System audio (Speakers)"
    assert inputs.unavailable is None


def record_while(request: Record, plays: Callable[[], None]) -> tuple[Recording, float]:
    """The record job, with `plays` run on a thread once it captures (its first level; a
    loaded machine can take seconds to start parec, and what played before is not on the
    monitor to record), and stopped after; also the seconds the whole job took."""
    stop, capturing = threading.Event(), threading.Event()

    def script() -> None:
        capturing.wait(60)
        plays()
        stop.set()

    def heard(event: Event) -> None:
        if isinstance(event, Level):
            capturing.set()

    threading.Thread(target=script).start()
    started = time.monotonic()
    recording = run_to_end(record(request, stop=stop), heard)
    return recording, time.monotonic() - started


def played(path: Path, sink: str, env: dict[str, str]) -> None:
    assert pulse.play(path, sink, env).wait() == 0, f"paplay could not play {path}"


def test_what_plays_is_recorded_with_its_pauses(sound, lines, tmp_path):
    def pause_then_play() -> None:
        time.sleep(1.5)  # nothing plays: the monitor sends nothing, the recording keeps time
        played(lines["them"], pulse.SPEAKERS, sound)
        time.sleep(1.0)

    request = Record(
        input_device="system:speakers.monitor",
        model="whisper-tiny.en",
        options=SpeechOptions(language="en"),
        path=tmp_path / "call.wav",
    )
    recording, took = record_while(request, pause_then_play)
    audio = load_audio(recording.path)
    assert "meeting" in recording.transcript.text.lower()
    loud = np.flatnonzero(np.abs(audio) > 0.05)
    assert loud[0] / SAMPLE_RATE > 1.0  # the pause before it is in the file
    assert len(audio) / SAMPLE_RATE < took  # never longer than it took


def test_microphone_and_system_make_one_recording(sound, lines, tmp_path):
    def a_call() -> None:
        time.sleep(0.5)
        played(lines["them"], pulse.SPEAKERS, sound)
        played(lines["you"], pulse.MIC_FEED, sound)
        time.sleep(1.0)

    request = Record(
        input_device="mix:speakers.monitor",
        model="whisper-tiny.en",
        options=SpeechOptions(language="en"),
        path=tmp_path / "call.wav",
    )
    recording, _ = record_while(request, a_call)
    text = recording.transcript.text.lower()
    assert "meeting" in text and "microphone" in text and "early" in text


def test_a_source_that_goes_away_is_named(sound):
    blocks = ParecSource("no-such-source").blocks(threading.Event())
    with pytest.raises(OSError, match="no-such-source stopped"):
        next(blocks)


def test_the_mix_adds_the_second_source_where_it_has_samples():
    class Fixed:
        sample_rate = 16_000

        def __init__(self, blocks):
            self._blocks = blocks

        def blocks(self, stop):
            yield from self._blocks

    lead = Fixed([np.full(4, 0.5, np.float32)] * 3)
    other = Fixed([np.full(6, 0.75, np.float32)])
    mixed = list(MixedSource(lead, other).blocks(threading.Event()))
    joined = np.concatenate(mixed)
    assert len(joined) == 12 and joined.max() == 1.0  # clipped at full scale
    assert np.count_nonzero(joined == 0.5) >= 6  # where the second had nothing


def test_other_systems_say_what_is_missing(monkeypatch):
    monkeypatch.setattr(system_audio.sys, "platform", "win32")
    found, note = system_audio.system_inputs()
    assert found == [] and "loopback" in note


def test_the_cli_records_what_the_computer_plays(sound, lines):
    from tests.cli.runner import command

    listed = subprocess.run(
        command("speech", "record", "--list-inputs"), capture_output=True, text=True, check=True
    )
    assert "system:speakers.monitor\tSystem audio (Speakers)" in listed.stdout
    recorder = subprocess.Popen(
        command("speech", "record", "--input", "System audio (Speak", "--seconds", "7"),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    time.sleep(2.5)  # the CLI starts (imports, PortAudio), then the call plays
    pulse.play(lines["them"], pulse.SPEAKERS, sound).wait()
    out, err = recorder.communicate(timeout=120)
    assert recorder.returncode == 0, err
    assert "meeting" in out.lower() and "saved " in err
