"""Speakers and languages in the Speech tab: the real window, real models, real files."""

from __future__ import annotations

from pathlib import Path

import pytest

from fmstudio.core.config import Settings
from fmstudio.ui.tabs.speech.record_panel import RecordState
from fmstudio.ui.tabs.speech.tab import SpeechTab
from fmstudio.ui.widgets.segments_table import SPEAKER, TEXT
from tests.datasets import alternating, make_conversation
from tests.ui.helpers import drop


@pytest.fixture
def tab(qtbot) -> SpeechTab:
    widget = SpeechTab(Settings())
    qtbot.addWidget(widget)
    widget.resize(1100, 700)
    widget.show()
    qtbot.waitUntil(lambda: widget.record.state is not RecordState.PROBING, timeout=30_000)
    yield widget
    widget.shutdown()


def test_speakers_are_shown_renamed_reassigned_and_exported(qtbot, tab: SpeechTab, tmp_path):
    path = tmp_path / "talk.wav"
    make_conversation(path, alternating()[:4])
    tab.options.speakers.setCurrentIndex(tab.options.speakers.findData(0))
    drop(tab.drop_area, [path])
    table = tab.view.segments
    qtbot.waitUntil(lambda: not tab.is_busy() and table.rowCount() == 4, timeout=90_000)
    assert not table.isColumnHidden(SPEAKER)
    assert table.speakers() == ["Speaker 1", "Speaker 2"]
    colours = {table.item(r, SPEAKER).background().color().name() for r in range(4)}
    assert len(colours) == 2
    assert "2 speakers" in tab.view.info.text()

    table.rename_speaker("Speaker 1", "Ana")
    assert [table.item(r, SPEAKER).text() for r in range(4)] == ["Ana", "Speaker 2"] * 2
    table.set_speaker([3], "Ana")  # the last line was Ana's after all
    table.item(1, TEXT).setText("Sure, the spreadsheet is open.")
    target = tmp_path / "talk.srt"
    tab.export_to(target)
    said = [line for line in target.read_text().splitlines() if ": " in line]
    assert [s.split(":")[0] for s in said] == ["Ana", "Speaker 2", "Ana", "Ana"]
    assert "Speaker 2: Sure, the spreadsheet is open." in said
    tab.options.remember()
    assert tab.settings.speakers == 0  # the choice is kept for next time


def test_without_speakers_the_column_stays_hidden(qtbot, tab: SpeechTab, speech_wav):
    tab.options.speakers.setCurrentIndex(0)
    drop(tab.drop_area, [speech_wav[0]])
    table = tab.view.segments
    qtbot.waitUntil(lambda: not tab.is_busy() and table.rowCount() > 0, timeout=60_000)
    assert table.isColumnHidden(SPEAKER) and table.speakers() == []
    assert tab.view.info.text().startswith("Language: English (en)")


def test_language_menu_follows_the_model(qtbot, tab: SpeechTab):
    options = tab.options
    options.model_picker.select("whisper-tiny.en")
    assert [options.language.itemData(i) for i in range(options.language.count())] == [
        "auto",
        "en",
    ]
    assert not options.translate.isEnabled()
    options.model_picker.select("whisper-base")
    assert options.language.count() == 101 and options.translate.isEnabled()
    options.language.setCurrentIndex(options.language.findData("de"))
    options.translate.setChecked(True)
    chosen = options.options()
    assert (chosen.language, chosen.task) == ("de", "translate")
    options.model_picker.select("whisper-tiny.en")
    assert options.options().task == "transcribe" and options.options().language == "auto"


def test_german_is_detected_with_whisper_base(qtbot, tab: SpeechTab, tmp_path: Path):
    path = tmp_path / "deutsch.wav"
    make_conversation(path, [("de", GERMAN)], gap=0.2, speed=140)
    tab.options.model_picker.select("whisper-base")
    drop(tab.drop_area, [path])
    qtbot.waitUntil(lambda: not tab.is_busy() and tab.view.transcript is not None, timeout=120_000)
    transcript = tab.view.transcript
    assert transcript.ok and transcript.language == "de"
    assert "German (de), detected" in tab.view.info.text()
    assert "morgen" in transcript.text.lower()


GERMAN = (
    "Guten Morgen. Heute ist das Wetter in Berlin sehr schön, "
    "und wir gehen am Nachmittag zusammen in den Park."
)
