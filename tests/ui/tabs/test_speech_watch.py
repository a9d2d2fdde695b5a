"""The Speech tab's folder watch: started from its dialog, new recordings are transcribed
into the chosen formats and listed; a watch on at closing starts again with the tab, and
does nothing twice."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from PySide6.QtWidgets import QDialogButtonBox

from fmstudio.core.config import Settings
from fmstudio.core.speech import watch
from fmstudio.ui.tabs.speech import watch_panel
from fmstudio.ui.tabs.speech.tab import SpeechTab
from fmstudio.ui.tabs.speech.watch_panel import WatchDialog


@pytest.fixture(autouse=True)
def quick(monkeypatch):
    monkeypatch.setattr(watch, "SETTLE_S", 0.3)


def _tab(qtbot, settings: Settings) -> SpeechTab:
    tab = SpeechTab(settings)
    qtbot.addWidget(tab)
    tab.show()
    return tab


def test_the_dialog_wants_a_folder_and_a_format(qtbot, tmp_path):
    dialog = WatchDialog({"formats": ["vtt"]})
    qtbot.addWidget(dialog)
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    assert not ok.isEnabled() and dialog.formats["vtt"].isChecked()
    dialog.folder.setText(str(tmp_path))
    assert ok.isEnabled()
    dialog.formats["vtt"].setChecked(False)
    assert not ok.isEnabled()
    dialog.formats["txt"].setChecked(True)
    assert dialog.choice() == {"folder": str(tmp_path), "output_dir": "", "formats": ["txt"]}


@pytest.mark.slow
def test_a_watch_transcribes_lists_and_resumes_after_a_restart(
    qtbot, tmp_path, speech_wav, monkeypatch
):
    folder, out = tmp_path / "calls", tmp_path / "out"
    folder.mkdir()
    shutil.copy(speech_wav[0], folder / "first.wav")
    choice = {"folder": str(folder), "output_dir": str(out), "formats": ["txt", "srt"]}
    monkeypatch.setattr(watch_panel.WatchDialog, "exec", lambda self: True)
    monkeypatch.setattr(watch_panel.WatchDialog, "choice", lambda self: choice)
    settings = Settings()
    tab = _tab(qtbot, settings)
    tab.watch.button.click()  # the dialog says: this folder, into out/, TXT and SRT
    assert tab.watch.button.text() == "Stop watching"
    qtbot.waitUntil(lambda: (out / "first.srt").is_file(), timeout=60_000)
    qtbot.waitUntil(lambda: tab.files.transcripts.count() == 1, timeout=10_000)
    assert "lazy dog" in (out / "first.txt").read_text().lower()
    assert "1 file transcribed" in tab.watch.line.text() and str(folder) in tab.watch.line.text()
    assert "first.wav → first.txt, first.srt" in tab.status.text()
    assert tab.view.transcript is not None and tab.view.transcript.path.endswith("first.wav")
    tab.shutdown()  # the app closes while watching: the watch stays on
    assert settings.watch["on"] is True

    shutil.copy(speech_wav[0], folder / "second.wav")
    again = _tab(qtbot, settings)
    assert again.watch.button.text() == "Stop watching"  # resumed by itself
    qtbot.waitUntil(lambda: (out / "second.srt").is_file(), timeout=60_000)
    qtbot.waitUntil(lambda: "second.wav" in again.status.text(), timeout=10_000)

    def names() -> list[str]:
        return [Path(t.path).name for t in again.files.transcripts.transcripts]

    qtbot.waitUntil(lambda: "second.wav" in names(), timeout=10_000)  # listed after its log line
    listed = names()
    assert listed.count("first.wav") == 1  # kept from the session, not transcribed again
    assert listed.count("second.wav") == 1
    again.watch.button.click()  # Stop watching
    qtbot.waitUntil(lambda: not again.watch.is_busy(), timeout=10_000)
    assert again.watch.button.text() == "Watch a folder…" and settings.watch["on"] is False
    again.shutdown()


def test_the_watch_goes_on_with_the_tabs_new_options(qtbot, tmp_path):
    settings = Settings(watch={"folder": str(tmp_path), "formats": ["txt"], "on": True})
    tab = _tab(qtbot, settings)
    said: list[str] = []  # the status line is shared: the microphone probe may write last
    tab.watch.said.connect(said.append)
    assert tab.watch.is_busy() and tab.watch.request.options.speakers is None
    tab.options.beam.setValue(2)  # a choice the watch did not start with…
    qtbot.waitUntil(lambda: tab.watch.request.options.beam_size == 2, timeout=30_000)
    assert tab.watch.is_busy() and said == ["The watch goes on with the tab's new options."]
    started = tab.watch.request
    tab.options.changed.emit()  # a signal that changes nothing (a list filled again, say)
    qtbot.wait(200)
    assert tab.watch.request is started
    tab.shutdown()
