"""Live text: how long after the first spoken word the first word is shown.

A recording of 1.5 s of silence, then espeak-ng sentences, is played as the microphone: into a
PulseAudio null sink whose monitor PortAudio records (../shared/TESTING.md), where PulseAudio
is installed; else through `FileSource` at real time (the same `AudioSource` interface). The
delay is the wall time from the moment the first word entered the recording (its onset in the
recorded samples, timed from the first block's arrival) to the first live text with a word in
it; PortAudio's start (about 1.5 s with PulseAudio) is not counted, as a speaker waits for it.

fmstudio's record job (tiny.en) runs against the plain loop that people write first: append
the microphone's blocks and every 2 s transcribe all the audio so far with faster-whisper.
Both also give their final text, scored against the script (WER), so speed is not bought with
lost words. Prints the delays (median of `--repeats`), the WERs, and the ratio last (goal: the
fmstudio delay under 2 s).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from fmstudio.core import loading

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("FMSTUDIO_HOME", tempfile.mkdtemp())
import numpy as np
from _common import report

from fmstudio.core.data.audio import SAMPLE_RATE, load_audio
from fmstudio.core.data.microphone import BLOCK_SECONDS
from fmstudio.core.data.recording import StreamResampler
from fmstudio.core.data.sources import AudioSource, FileSource
from fmstudio.core.events import Event, run_to_end
from fmstudio.core.speech.events import LiveText
from fmstudio.core.speech.models import SpeechModel
from fmstudio.core.speech.record import record
from fmstudio.core.speech.requests import Record
from fmstudio.core.speech.scoring import score

SILENCE_BEFORE = 1.5
SCRIPT = [
    "Good morning, this is a short test of live transcription.",
    "The words should appear on the screen while I am still speaking.",
    "Then the whole recording is transcribed once more, carefully.",
]


def make_recording(folder: Path) -> Path:
    speech = folder / "speech.wav"
    subprocess.run(["espeak-ng", "-s", "150", "-w", str(speech), " ".join(SCRIPT)], check=True)
    out = folder / "played.wav"
    pad = ["pad", str(SILENCE_BEFORE), "1.0"]
    subprocess.run(["sox", str(speech), "-r", "48000", str(out), *pad], check=True)
    return out


class Player:
    """Plays the file as the microphone and says when its first word was recorded."""

    def __init__(self, path: Path, pulse: bool) -> None:
        self.path, self.pulse = path, pulse
        self.recording_started = 0.0

    def source(self) -> AudioSource:
        if not self.pulse:
            return _Timed(FileSource(self.path, realtime=1.0), self)
        from fmstudio.core.data.microphone import MicrophoneSource, input_devices

        device = next(i for i, name in input_devices() if name == "pulse")
        return _Timed(_PulsePlayed(MicrophoneSource(device), self.path), self)

    def first_word_at(self, recorded: np.ndarray) -> float:
        """Wall time of the first 30 ms louder than -40 dBFS in the recorded 16 kHz samples."""
        frames = recorded[: len(recorded) // 480 * 480].reshape(-1, 480)
        loud = np.nonzero(np.sqrt((frames**2).mean(axis=1)) > 0.01)[0]
        return self.recording_started + (loud[0] * 480 / SAMPLE_RATE if loud.size else np.inf)


class _Timed:
    """Notes the wall time at which the recording's first sample was captured."""

    def __init__(self, inner: AudioSource, player: Player) -> None:
        self.inner, self.player = inner, player
        self.sample_rate = inner.sample_rate

    def blocks(self, stop: threading.Event) -> Iterator[np.ndarray]:
        for i, block in enumerate(self.inner.blocks(stop)):
            if i == 0:
                self.player.recording_started = time.monotonic() - BLOCK_SECONDS
            yield block


class _PulsePlayed:
    """The microphone (the null sink's monitor) while `paplay` plays the file into the sink;
    the recording ends a second after the file does."""

    def __init__(self, microphone: AudioSource, path: Path) -> None:
        self.microphone, self.path = microphone, path
        self.sample_rate = microphone.sample_rate

    def blocks(self, stop: threading.Event) -> Iterator[np.ndarray]:
        player = subprocess.Popen(["paplay", "-d", "v", str(self.path)])
        ender = threading.Thread(target=lambda: (player.wait(), time.sleep(1.0), stop.set()))
        ender.start()
        yield from self.microphone.blocks(stop)
        ender.join()


def fmstudio_run(player: Player, model: SpeechModel) -> tuple[float, str]:
    shown: list[float] = []

    def on_event(event: Event) -> None:
        if isinstance(event, LiveText) and not shown and (event.committed or event.tentative):
            shown.append(time.monotonic())

    request = Record(player.source(), model=model, path=Path(tempfile.mkdtemp()) / "r.wav")
    result = run_to_end(record(request, stop=threading.Event()), on_event)
    text = result.transcript.text if result.transcript else ""
    spoken_at = player.first_word_at(load_audio(result.path))
    return (shown[0] if shown else float("inf")) - spoken_at, text


def plain_run(player: Player, model: SpeechModel) -> tuple[float, str]:
    """Every 2 s of audio, transcribe all of it so far; the last pass is the final text."""
    source = player.source()
    resampler = StreamResampler(source.sample_rate)
    audio: list[np.ndarray] = []
    shown: float | None = None
    text, since = "", 0.0

    def decode() -> str:
        segments, _ = model.model.transcribe(np.concatenate(audio), beam_size=5)
        return " ".join(s.text.strip() for s in segments)

    for block in source.blocks(threading.Event()):
        audio.append(resampler.push(np.asarray(block, dtype=np.float32).reshape(-1)))
        since += len(block) / source.sample_rate
        if since >= 2.0:
            since, text = 0.0, decode()
            if shown is None and text.strip():
                shown = time.monotonic()
    return (shown or float("inf")) - player.first_word_at(np.concatenate(audio)), decode()


def pulse_started() -> bool:
    """A PulseAudio daemon with the null sink `v` as the default source, when installed."""
    if shutil.which("pulseaudio") is None:
        return False
    subprocess.run(["pulseaudio", "-D", "--exit-idle-time=-1", "--system=false"], check=False)
    sink = ["pactl", "load-module", "module-null-sink", "sink_name=v"]
    loaded = subprocess.run(sink, stdout=subprocess.DEVNULL, check=False)
    subprocess.run(["pactl", "set-default-source", "v.monitor"], check=True)
    return loaded.returncode == 0


def measure(run: Callable[[], tuple[float, str]], repeats: int) -> tuple[float, str]:
    delays, text = [], ""
    for _ in range(repeats):
        delay, text = run()
        delays.append(delay)
    return statistics.median(delays), text


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--file-source", action="store_true", help="skip PulseAudio")
    args = parser.parse_args()
    played = make_recording(Path(tempfile.mkdtemp()))
    pulse = not args.file_source and pulse_started()
    player = Player(played, pulse)
    model = loading.load("whisper-tiny.en", "speech")
    ours, our_text = measure(lambda: fmstudio_run(player, model), args.repeats)
    plain, plain_text = measure(lambda: plain_run(player, model), args.repeats)
    reference = " ".join(SCRIPT)
    texts = {"ours": our_text, "plain": plain_text}
    wer = {name: score(["r"], [reference], [t]).wer for name, t in texts.items()}
    seconds = len(load_audio(played)) / SAMPLE_RATE
    how = "PulseAudio null sink -> PortAudio" if pulse else "FileSource at real time"
    print(f"played: {seconds:.1f} s ({SILENCE_BEFORE} s silence first) through {how}")
    print(f"final WER: fmstudio {wer['ours']:.3f}, plain loop {wer['plain']:.3f}")
    report("fmstudio first live word", ours, "plain 2 s loop", plain, "s", "fmstudio / plain")
    if pulse:
        subprocess.run(["pulseaudio", "-k"], check=False)


if __name__ == "__main__":
    main()
