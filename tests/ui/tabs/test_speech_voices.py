"""Voice profiles in the Speech tab: a speaker named from the table's menu is remembered (a
job reads their speech), the next transcription names the voice by itself, and the Voices
dialog renames, merges and forgets profiles."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt

from fmstudio.core.speech.voices import VoiceLibrary
from fmstudio.ui.tabs.speech import voices as voices_ui
from fmstudio.ui.tabs.speech.record_panel import RecordState
from fmstudio.ui.tabs.speech.tab import SpeechTab
from fmstudio.ui.tabs.speech.voices import VoicesDialog
from fmstudio.ui.widgets.segments_table import SPEAKER
from tests.datasets import alternating, make_conversation


@pytest.fixture
def tab(qtbot, shown_tab) -> SpeechTab:
    widget = shown_tab(SpeechTab, height=650)
    qtbot.waitUntil(lambda: widget.record.state is not RecordState.PROBING, timeout=30_000)
    return widget


def _action(menu, text: str):
    return next(a for a in menu.actions() if a.text() == text)


@pytest.mark.slow
def test_a_voice_named_once_is_named_in_the_next_recording(qtbot, tab: SpeechTab, tmp_path):
    first, second = tmp_path / "first.wav", tmp_path / "second.wav"
    make_conversation(first, alternating()[:4])
    make_conversation(second, alternating()[4:8])  # the same two voices, other words
    tab.options.speakers.setCurrentIndex(tab.options.speakers.findData(0))
    table = tab.view.segments
    tab.add_paths([str(first)])
    qtbot.waitUntil(lambda: not tab.is_busy() and table.rowCount() == 4, timeout=90_000)
    assert table.speakers() == ["Speaker 1", "Speaker 2"]

    menu = table.menu_for(0)
    assert "This is" not in " ".join(a.text() for a in menu.actions())  # no guess to confirm
    tab.view.segments.voice_named.emit("Speaker 1", "Ana")  # what the menu's dialog says
    assert table.speakers() == ["Ana", "Speaker 2"]  # renamed at once, everywhere
    qtbot.waitUntil(lambda: not tab.is_busy(), timeout=30_000)
    assert "Ana's voice is remembered" in tab.status.text()
    (ana,) = VoiceLibrary().voices()
    assert ana.name == "Ana" and ana.seconds > 3

    tab.add_paths([str(second)])
    qtbot.waitUntil(lambda: not tab.is_busy() and table.rowCount() == 4, timeout=90_000)
    qtbot.waitUntil(lambda: tab.view.transcript.path == str(second), timeout=10_000)
    assert [table.item(r, SPEAKER).text() for r in range(4)] == ["Ana", "Speaker 1"] * 2


def test_this_is_confirms_a_guess_and_teaches_the_profile(qtbot, tab: SpeechTab, tmp_path):
    from fmstudio.core.speech.transcripts import Segment, Transcript

    path = tmp_path / "talk.wav"
    turns = make_conversation(path, alternating()[:2])
    VoiceLibrary().add("Ana", np.eye(256, dtype=np.float32)[0], 5.0)
    segments = [
        Segment(a, b, "words", "Speaker 1 (maybe Ana?)" if i == 0 else "Speaker 2")
        for i, (_, a, b) in enumerate(turns)
    ]
    tab.view.show_transcript(Transcript(str(path), "words words", segments=segments))
    _action(tab.view.segments.menu_for(0), "This is Ana").trigger()
    assert tab.view.segments.speakers() == ["Ana", "Speaker 2"]
    qtbot.waitUntil(lambda: not tab.is_busy(), timeout=30_000)
    ana = VoiceLibrary().get("Ana")
    assert ana is not None and ana.seconds > 5.0  # learnt from this recording too
    assert not np.allclose(ana.vector, np.eye(256)[0])


def test_the_voices_dialog_renames_merges_and_forgets(qtbot, monkeypatch):
    library = VoiceLibrary()
    for i, name in enumerate(("Ana", "Bo", "Cy")):
        library.add(name, np.eye(4, dtype=np.float32)[i], 2.0 + i)
    dialog = VoicesDialog()
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow, timeout=5_000)
    assert dialog.list.count() == 3 and dialog.selected() == "Ana"
    monkeypatch.setattr(voices_ui, "ask_name", lambda *a: "Anna")
    dialog.rename()
    assert dialog.selected() == "Anna"
    monkeypatch.setattr(voices_ui.QInputDialog, "getItem", lambda *a: ("Cy", True))
    dialog.merge()  # Anna is Cy
    assert [v.name for v in library.voices()] == ["Bo", "Cy"]
    assert library.get("Cy").seconds == 6.0 and dialog.selected() == "Cy"
    dialog.list.setFocus()
    qtbot.keyClick(dialog.list, Qt.Key.Key_Delete)
    assert [v.name for v in library.voices()] == ["Bo"]
    (library.folder / "bad.json").write_text("nope")
    dialog.refresh()
    assert "bad.json" in dialog.note.text() and dialog.list.count() == 1
