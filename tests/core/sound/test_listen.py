"""Live listening: a real recording played as the microphone (this machine has none), heard
window by window as it comes, saved, and heard whole at the end."""

from __future__ import annotations

import itertools
import threading
from pathlib import Path

import numpy as np

from fmstudio.core.data.audio import load_audio
from fmstudio.core.data.capture import CaptureEnded, Level
from fmstudio.core.data.sources import FileSource
from fmstudio.core.events import run_to_end
from fmstudio.core.sound.listen import Newest, listen
from fmstudio.core.sound.requests import Listen
from fmstudio.core.sound.results import LiveSounds
from tests.datasets import write_wav


def test_the_microphones_speech_is_named_as_it_comes_and_the_recording_is_kept(
    speech_wav: tuple[Path, str], tmp_path: Path
) -> None:
    events: list[object] = []
    saved = tmp_path / "heard.wav"
    request = Listen(source=FileSource(speech_wav[0]), path=saved, top_k=3)
    result = run_to_end(listen(request, stop=threading.Event()), events.append)
    live = [e for e in events if isinstance(e, LiveSounds)]
    seconds = len(load_audio(speech_wav[0])) / 16_000
    assert len(live) >= int(seconds / 0.48) - 1  # one every 0.48 s of audio
    assert sum(e.predictions[0].label == "Speech" for e in live) >= len(live) // 2
    assert [e.elapsed_s for e in live] == sorted(e.elapsed_s for e in live)
    assert any(isinstance(e, Level) and e.peak > 0.1 for e in events)
    ended = next(e for e in events if isinstance(e, CaptureEnded))
    assert abs(ended.seconds - seconds) < 0.1
    assert np.allclose(load_audio(saved), load_audio(speech_wav[0]), atol=1e-3)
    assert result is not None and result.path == str(saved) and result.top.label == "Speech"


def test_the_newest_window_keeps_only_the_last_samples() -> None:
    newest = Newest(5)
    for block in (np.arange(3), np.arange(3, 6), np.arange(6, 8)):
        newest.append(block.astype(np.float32))
    assert newest.data.tolist() == [3, 4, 5, 6, 7]


def test_stopping_at_once_keeps_an_empty_recording_and_hears_nothing(tmp_path: Path) -> None:
    clip = write_wav(tmp_path / "tone.wav", np.sin(np.arange(16_000) / 3.0) * 0.3, rate=16_000)
    stop = threading.Event()
    stop.set()
    request = Listen(source=FileSource(clip), path=tmp_path / "none.wav")
    assert run_to_end(listen(request, stop=stop)) is None
    assert (tmp_path / "none.wav").is_file()


def test_a_trained_classifier_hears_the_newest_window_every_half_second(
    speech_wav: tuple[Path, str], tmp_path: Path
) -> None:
    """Its windows are 2.3 s every 1.16 s, but what is heard now must change within a second;
    a 16 kHz microphone is resampled to its 44.1 kHz."""
    import torch

    from fmstudio.core.sound import sfx_cnn
    from fmstudio.core.sound.classifier import SoundClassifier, SoundNet

    torch.manual_seed(0)
    model = SoundClassifier("t", SoundNet(sfx_cnn.pretrained(), 2).eval(), ["a", "b"])
    events: list[object] = []
    request = Listen(model, source=FileSource(speech_wav[0]), path=tmp_path / "t.wav")
    result = run_to_end(listen(request, stop=threading.Event()), events.append)
    live = [e.elapsed_s for e in events if isinstance(e, LiveSounds)]
    assert len(live) >= 3 and max(b - a for a, b in itertools.pairwise(live)) <= 0.6
    assert result is not None and abs(result.duration - live[-1]) < 1.0
