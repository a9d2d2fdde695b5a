"""The Sound tab with the bundled YAMNet on sounds made here: rows, timelines, export, data."""

from __future__ import annotations

import json
import wave
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog

from fmstudio.core.data.audio import SAMPLE_RATE, load_audio
from fmstudio.ui.tabs.classify_tab import ClassifyTab
from fmstudio.ui.tabs.sound_tab import SoundTab
from fmstudio.ui.widgets.dataset_dialog import DatasetDialog
from fmstudio.ui.widgets.results_table import COL_DETAIL
from tests.datasets import espeak, write_tone
from tests.ui.helpers import drop


@pytest.fixture
def tab(shown_tab) -> ClassifyTab:
    return shown_tab(SoundTab)


@pytest.fixture
def recordings(tmp_path: Path) -> list[Path]:
    folder = tmp_path / "sounds"
    folder.mkdir()
    speech = load_audio(espeak(tmp_path / "s.wav", "Please leave a message after the tone."))
    tone = load_audio(write_tone(tmp_path / "t.wav", 3.0, 0.4, 1000.0))
    both = np.concatenate([speech, np.zeros(SAMPLE_RATE, np.float32), tone])
    with wave.open(str(folder / "message.wav"), "wb") as f:
        f.setnchannels(1)
        f.setsampwidth(2)
        f.setframerate(SAMPLE_RATE)
        f.writeframes((both * 32767).astype("<i2").tobytes())
    (folder / "broken.mp3").write_bytes(b"ID3 and nothing")
    return [folder / "message.wav", folder / "broken.mp3"]


def _run(qtbot, tab: ClassifyTab, paths: list[Path]) -> None:
    drop(tab.drop_area, paths)
    qtbot.waitUntil(
        lambda: tab.table.model.rowCount() == len(paths) and not tab.is_busy(), timeout=60_000
    )


def test_each_recording_shows_its_sounds_and_which_sound_when(
    qtbot, tab: ClassifyTab, recordings: list[Path], tmp_path: Path, monkeypatch
) -> None:
    _run(qtbot, tab, recordings)
    by_name = {Path(r.path).name: i for i, r in enumerate(tab.table.results())}
    message = tab.table.results()[by_name["message.wav"]]
    detail = tab.table.model.item(by_name["message.wav"], COL_DETAIL).text()
    assert detail.startswith("0:00.0-") and " Speech · " in detail
    assert detail.endswith(f"{message.segments[-1].end:04.1f} {message.segments[-1].label}")
    assert tab.table.results()[by_name["broken.mp3"]].error
    assert "1 failed" in tab.status.text()
    target = tmp_path / "sounds.json"
    monkeypatch.setattr(
        QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), "JSON (*.json)")
    )
    tab.export_dialog()
    exported = {Path(r["path"]).name: r for r in json.loads(target.read_text())}
    timeline = exported["message.wav"]["timeline"]
    assert timeline[0]["label"] == "Speech" and len(timeline) == len(message.segments)


def test_recordings_go_into_a_dataset_that_trains(
    qtbot, tab: ClassifyTab, recordings: list[Path], tmp_path: Path, monkeypatch
) -> None:
    _run(qtbot, tab, recordings[:1])
    dataset = tmp_path / "dataset"

    def answer(dialog: DatasetDialog) -> int:
        dialog.folder.setText(str(dataset))
        dialog.label.setCurrentText("voicemail")
        return 1

    monkeypatch.setattr(DatasetDialog, "exec", answer)
    tab.table.select_row(0)
    qtbot.keyClick(tab, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    assert [p.name for p in (dataset / "voicemail").iterdir()] == ["message.wav"]
    assert tab.dataset_row.train_button.isVisible()
    with qtbot.waitSignal(tab.train_requested) as asked:
        qtbot.keyClick(
            tab,
            Qt.Key.Key_T,
            Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
        )
    assert asked.args == ["sound", str(dataset)]


def test_listening_names_the_sounds_live_and_adds_the_recording(
    qtbot, tab: ClassifyTab, speech_wav: tuple[Path, str]
) -> None:
    """The microphone is a real recording played in real time (this machine has none)."""
    from fmstudio.core import paths
    from fmstudio.core.data.sources import FileSource
    from fmstudio.core.sound.results import LiveSounds
    from fmstudio.ui.widgets.microphone_panel import RecordState

    listen = tab.controls.listen
    qtbot.waitUntil(lambda: listen.state is not RecordState.PROBING, timeout=30_000)
    listen.use_source(lambda: FileSource(speech_wav[0], realtime=1.0))
    heard: list[LiveSounds] = []
    listen.heard_now.connect(heard.append)
    qtbot.keyClick(tab, Qt.Key.Key_M, Qt.KeyboardModifier.ControlModifier)
    assert listen.state is RecordState.RECORDING and tab.is_busy()
    qtbot.waitUntil(lambda: len(heard) >= 2, timeout=20_000)
    assert "Speech" in listen.now.text()
    gap = heard[1].elapsed_s - heard[0].elapsed_s
    assert gap <= 1.0  # the current sounds change within a second
    qtbot.keyClick(tab, Qt.Key.Key_M, Qt.KeyboardModifier.ControlModifier)  # stop
    qtbot.waitUntil(lambda: not tab.is_busy() and tab.table.model.rowCount() == 1, timeout=30_000)
    row = tab.table.results()[0]
    assert Path(row.path).parent == paths.recordings_dir() and Path(row.path).is_file()
    assert row.top is not None and row.top.label == "Speech"
    assert "Recorded" in tab.status.text()
    assert listen.now.text() == ""  # the last live sounds are not shown as current
