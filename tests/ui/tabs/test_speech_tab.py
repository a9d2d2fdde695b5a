from __future__ import annotations

from pathlib import Path

import pytest

from fmstudio.core.data.sources import FileSource
from fmstudio.core.errors import FmError
from fmstudio.core.speech.transcripts import Segment, Transcript
from fmstudio.ui.tabs.speech.record_panel import RecordState
from fmstudio.ui.tabs.speech.tab import SpeechTab
from fmstudio.ui.widgets.segments_table import SPEAKER, TEXT
from tests.datasets import GERMAN, alternating, make_conversation
from tests.ui.helpers import drop


@pytest.fixture
def tab(qtbot, shown_tab) -> SpeechTab:
    widget = shown_tab(SpeechTab, height=650)
    qtbot.waitUntil(lambda: widget.record.state is not RecordState.PROBING, timeout=30_000)
    return widget


@pytest.mark.slow
def test_record_live_then_stop_shows_transcript(
    qtbot, tab: SpeechTab, speech_wav, tmp_path: Path
) -> None:
    import subprocess

    path = tmp_path / "speak-five-times.wav"  # about 17 s: long enough that Stop comes first
    subprocess.run(["sox", *[str(speech_wav[0])] * 5, str(path)], check=True)
    tab.record.use_source(lambda: FileSource(path, realtime=1.0))  # the fake microphone
    tab.record.toggle()
    assert tab.record.state is RecordState.RECORDING
    assert tab.record.record_button.isEnabled()
    # Stop once the live text has real words: a first pass over half a second of audio may
    # say anything, and so may the final pass over a recording stopped that soon
    qtbot.waitUntil(lambda: "quick" in tab.view.live_view.toPlainText().lower(), timeout=30_000)
    assert tab.is_busy()  # live text arrived before Stop
    qtbot.waitUntil(lambda: tab.record.status.text() == "Recording…", timeout=5_000)
    assert tab.status.text() == ""  # no "Ready" beside "Recording…"
    tab.record.toggle()  # Stop
    assert tab.record.state is RecordState.FINISHING
    # One line says what happens now, not "Recording…", "Stopping…" and "Ready" at once
    assert tab.record.status.text() == "Transcribing the recording…"
    assert tab.record.status.bar.format() == "Transcribing the recording…"
    qtbot.waitUntil(lambda: not tab.is_busy(), timeout=60_000)
    assert tab.record.state is RecordState.IDLE
    assert tab.files.recordings.count() == 1
    assert tab.view.segments.rowCount() >= 1
    assert "quick" in tab.view.live_view.toPlainText().lower()
    assert tab.view.transcript is not None and tab.view.transcript.audio is not None

    tab.view.segments.item(0, TEXT).setText("Corrected words")
    assert tab.view.live_view.toPlainText().startswith("Corrected words")  # the box follows
    target = tmp_path / "out.srt"
    tab.export_to(target)
    assert "Corrected words" in target.read_text()


def test_dropped_audio_is_transcribed(qtbot, tab: SpeechTab, speech_wav) -> None:
    drop(tab.drop_area, [speech_wav[0]])
    qtbot.waitUntil(lambda: not tab.is_busy() and tab.view.segments.rowCount() > 0, timeout=60_000)
    transcript = tab.view.edited()
    assert transcript is not None and "lazy dog" in transcript.text.lower()
    assert transcript.audio is not None and len(transcript.audio) > 16_000  # kept for playback

    # A click plays the segment on the worker; without a sound card it says why, calmly.
    outcomes: list[object] = []
    tab.view.player.jobs.done.connect(lambda *_: outcomes.append("played"))
    tab.view.player.jobs.failed.connect(outcomes.append)
    tab.view.segments.cellClicked.emit(0, 2)
    qtbot.waitUntil(lambda: bool(outcomes) and not tab.view.player.jobs.is_busy(), timeout=30_000)
    assert outcomes[0] == "played" or isinstance(outcomes[0], FmError)


@pytest.mark.slow
def test_files_dropped_while_recording_wait_for_it(
    qtbot, tab: SpeechTab, speech_wav, tmp_path: Path
) -> None:
    tab.record.use_source(lambda: FileSource(speech_wav[0], realtime=2.0))
    tab.record.toggle()
    drop(tab.drop_area, [speech_wav[0]])
    assert not tab.files.is_busy() and "Waiting" in tab.status.text()
    started: list[str] = []
    tab.files.jobs.started.connect(started.append)
    qtbot.waitUntil(lambda: bool(started), timeout=60_000)  # once the recording has ended
    assert tab.record.state is RecordState.IDLE
    qtbot.waitUntil(lambda: not tab.is_busy(), timeout=60_000)


def test_without_a_microphone_recording_says_why(tab: SpeechTab) -> None:
    if tab.record.unavailable is None:
        pytest.skip("this machine has an input device")
    assert tab.record.state is RecordState.UNAVAILABLE
    assert not tab.record.record_button.isEnabled()
    assert "Recording is off" in tab.status.text()


def test_every_file_keeps_its_transcript_and_all_export(
    qtbot, tab: SpeechTab, speech_wav, tmp_path: Path
) -> None:
    import shutil

    first, second = tmp_path / "one" / "fox.wav", tmp_path / "two" / "fox.wav"
    for path in (first, second):
        path.parent.mkdir()
        shutil.copy(speech_wav[0], path)
    broken = tmp_path / "broken.wav"
    broken.write_bytes(b"RIFF....WAVEfmt garbage")
    drop(tab.drop_area, [first, broken, second])
    listed = tab.files.transcripts
    qtbot.waitUntil(lambda: not tab.is_busy() and listed.count() == 3, timeout=60_000)
    assert [t.ok for t in listed.transcripts] == [True, False, True]
    assert "not a readable audio file" in listed.item(1).text()
    assert listed.currentRow() == 2 and tab.view.transcript is listed.transcripts[2]

    tab.view.segments.item(0, TEXT).setText("Edited words")
    listed.setCurrentRow(0)
    assert tab.view.transcript is not None and tab.view.transcript.path == str(first)
    listed.setCurrentRow(2)
    assert tab.view.segments.item(0, TEXT).text() == "Edited words"  # kept on switching
    listed.setCurrentRow(1)
    assert "not a readable audio file" in tab.status.text()

    written = tab.export_all(tmp_path / "out", "txt")
    assert [p.name for p in written] == ["fox.txt", "fox-2.txt"]
    assert "lazy dog" in written[0].read_text().lower()
    assert written[1].read_text().startswith("Edited words")


def test_corrected_segments_go_into_a_speech_dataset(
    qtbot, tab: SpeechTab, speech_wav, tmp_path: Path, monkeypatch
) -> None:
    import csv

    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QFileDialog

    from fmstudio.core.speech.clips import scan_clips

    dataset = tmp_path / "my voice"
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: str(dataset))
    drop(tab.drop_area, [speech_wav[0]])
    qtbot.waitUntil(lambda: not tab.is_busy() and tab.view.segments.rowCount() > 0, timeout=60_000)
    assert "No dataset yet" in tab.dataset_row.label.text()
    assert not tab.dataset_row.train_button.isEnabled()
    qtbot.keyClick(tab, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    assert "Correct a segment" in tab.status.text() and not dataset.exists()

    segment = tab.view.edited().segments[0]
    tab.view.segments.item(0, TEXT).setText("The quick brown fox, as I said it.")
    qtbot.keyClick(tab, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    assert "Added 1 clip" in tab.status.text()
    with (dataset / "metadata.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert [r["transcription"] for r in rows] == ["The quick brown fox, as I said it."]
    [clip] = scan_clips(dataset, val_split=0.0).clips
    assert abs(clip.seconds - (segment.end - segment.start)) < 0.05
    assert tab.settings.datasets["speech"] == str(dataset)
    assert tab.dataset_row.label.text() == f"Dataset {dataset}: 1 clip"

    emitted: list[tuple[str, str]] = []
    tab.train_requested.connect(lambda task, folder: emitted.append((task, folder)))
    tab.dataset_row.train_button.click()
    assert emitted == [("speech", str(dataset))]

    qtbot.keyClick(tab, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert "1 clip removed" in tab.status.text()
    assert not list((dataset / "clips").iterdir())
    assert tab.dataset_row.label.text() == f"Dataset {dataset}: 0 clips"


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

    without = Transcript("other.wav", "x", segments=[Segment(0.0, 1.0, "x")])
    tab.view.show_transcript(without)  # picking a transcript that has no speakers
    assert table.isColumnHidden(SPEAKER) and "speaker" not in tab.view.info.text()


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


@pytest.mark.slow
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


def test_transcripts_and_corrections_outlive_the_window(
    qtbot, tab: SpeechTab, speech_wav, shown_tab
) -> None:
    """Corrected segments were lost on Ctrl+Q: the Transcripts list came back empty."""
    drop(tab.drop_area, [speech_wav[0]])
    qtbot.waitUntil(lambda: not tab.is_busy() and tab.view.segments.rowCount() > 0, timeout=60_000)
    tab.view.segments.item(0, TEXT).setText("Corrected by hand")
    tab.shutdown()  # what closing the window does, with the edit still in the view

    again = shown_tab(SpeechTab, height=650)
    assert again.files.transcripts.count() == 1
    assert again.view.edited() is not None
    assert again.view.edited().segments[0].text == "Corrected by hand"
    assert again.view.edited().path == str(speech_wav[0])


def test_an_unreadable_kept_session_opens_an_empty_tab(qtbot, shown_tab) -> None:
    from fmstudio.core.speech.session import session_file

    session_file().parent.mkdir(parents=True, exist_ok=True)
    session_file().write_text("{not json", encoding="utf-8")
    fresh = shown_tab(SpeechTab, height=650)
    assert fresh.files.transcripts.count() == 0


def test_a_batch_lists_each_file_when_it_is_done_and_shows_one_file_at_a_time(
    qtbot, tab: SpeechTab, speech_wav, tmp_path: Path
) -> None:
    """The segment table mixed the files of a batch, and the Transcripts list stayed empty
    until the whole batch ended."""
    import shutil

    from fmstudio.core.speech.events import FileDone, FileStarted

    first, second = tmp_path / "a.wav", tmp_path / "b.wav"
    for path in (first, second):
        shutil.copy(speech_wav[0], path)
    seen: list[tuple[str, int, int, bool]] = []

    def after(event) -> None:  # connected after the tab's own handler: sees its effect
        if isinstance(event, (FileStarted, FileDone)):
            kind = type(event).__name__
            seen.append(
                (kind, tab.files.transcripts.count(), tab.view.segments.rowCount(), tab.is_busy())
            )

    tab.files.jobs.other_event.connect(after)
    drop(tab.drop_area, [first, second])
    qtbot.waitUntil(
        lambda: not tab.is_busy() and tab.files.transcripts.count() == 2, timeout=60_000
    )
    assert [s[:2] for s in seen] == [
        ("FileStarted", 0),
        ("FileDone", 1),
        ("FileStarted", 1),
        ("FileDone", 2),
    ]
    assert seen[1][3], "the first file was listed while the batch still ran"
    assert seen[2][2] == 0, "the second file starts on an empty view, not under the first"


def test_the_language_menu_grows_with_the_models_names(qtbot) -> None:
    """With a multilingual model chosen after the window opened, the menu showed "German (de"."""
    from fmstudio.core.config import Settings
    from fmstudio.ui.tabs.speech.options import SpeechOptionsBar

    bar = SpeechOptionsBar(Settings())
    qtbot.addWidget(bar)
    bar.resize(1300, 120)  # room enough: the box takes the width it asks for
    bar.show()
    qtbot.wait(50)  # shown and laid out with tiny.en's two entries, as the window opens
    bar.model_picker.setCurrentIndex(bar.model_picker.findData("whisper-base"))
    longest = max(
        bar.language.fontMetrics().horizontalAdvance(bar.language.itemText(i))
        for i in range(bar.language.count())
    )
    bar.language.setCurrentIndex(bar.language.findData("de"))
    qtbot.wait(50)  # the layout gives the box its new width
    assert bar.language.count() == 101  # Detect and Whisper's 100
    assert bar.language.width() > longest
