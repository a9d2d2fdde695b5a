from __future__ import annotations

from pathlib import Path

import pytest

from fmstudio.core.config import Settings
from fmstudio.core.speech.record import FileSource
from fmstudio.ui.tabs.speech_tab import SpeechTab
from tests.ui.test_image_tab import drop


@pytest.fixture
def tab(qtbot) -> SpeechTab:
    widget = SpeechTab(Settings())
    qtbot.addWidget(widget)
    widget.resize(1000, 650)
    widget.show()
    yield widget
    widget.shutdown()


def test_record_live_then_stop_shows_transcript(
    qtbot, tab: SpeechTab, speech_wav, tmp_path: Path
) -> None:
    import subprocess

    path = tmp_path / "speak-three-times.wav"  # long enough that Stop comes first
    subprocess.run(
        ["sox", str(speech_wav[0]), str(speech_wav[0]), str(speech_wav[0]), str(path)], check=True
    )
    tab.source_factory = lambda: FileSource(path, realtime=1.5)  # the fake microphone
    tab.record_button.setEnabled(True)
    tab.toggle_recording()
    assert tab.record_button.text().startswith("■")
    qtbot.waitUntil(lambda: tab.live_view.toPlainText().strip() != "", timeout=30_000)
    assert tab.is_busy()  # live text arrived before Stop
    tab.toggle_recording()  # Stop
    qtbot.waitUntil(lambda: not tab.is_busy(), timeout=60_000)
    assert tab.record_button.text().startswith("●")
    assert tab.recording_path is not None and tab.recording_path.exists()
    assert tab.recordings.count() == 1
    assert tab.segments.rowCount() >= 1
    assert "quick" in tab.live_view.toPlainText().lower()

    tab.segments.item(0, 2).setText("Corrected words")
    target = tmp_path / "out.srt"
    tab.export_to(target)
    assert "Corrected words" in target.read_text()


def test_dropped_audio_is_transcribed(qtbot, tab: SpeechTab, speech_wav) -> None:
    drop(tab.drop_area, [speech_wav[0]])
    qtbot.waitUntil(lambda: not tab.is_busy() and tab.segments.rowCount() > 0, timeout=60_000)
    assert "lazy dog" in tab.edited_transcript().text.lower()


def test_without_a_microphone_recording_says_why(tab: SpeechTab) -> None:
    if tab.unavailable is None:
        pytest.skip("this machine has an input device")
    assert not tab.record_button.isEnabled()
    assert "Recording is off" in tab.status.text()
