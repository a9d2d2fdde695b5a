"""The transcript box above the segment table while a file is being transcribed."""

from __future__ import annotations

from PySide6.QtCore import QUrl

from fmstudio.core.data.playback import Playback, Playing
from fmstudio.core.speech.transcripts import Segment, Transcript, Word
from fmstudio.ui.widgets.segments_table import TEXT
from fmstudio.ui.widgets.transcript_view import TranscriptView


def test_segments_as_they_arrive_fill_the_box_and_the_table_alike(qtbot) -> None:
    """The box said "The transcript appears here." while the table filled beside it."""
    view = TranscriptView()
    qtbot.addWidget(view)
    view.add_segment(Segment(0.0, 1.4, " Paragraph one."))
    view.add_segment(Segment(1.9, 6.1, " The committee met on Tuesday."))
    assert view.segments.rowCount() == 2
    assert view.live_view.toPlainText() == "Paragraph one. The committee met on Tuesday."
    view.clear()  # the next file of the batch starts
    assert view.live_view.toPlainText() == "" and view.segments.rowCount() == 0


def _timed(start: float, text: str) -> Segment:
    """A segment whose words last 0.5 s each, with Whisper's leading spaces."""
    words = tuple(
        Word(start + 0.5 * i, start + 0.5 * (i + 1), f" {w}") for i, w in enumerate(text.split())
    )
    return Segment(start, start + 0.5 * len(words), text, words=words)


def test_a_clicked_word_plays_from_there_and_the_spoken_word_is_marked(qtbot) -> None:
    view = TranscriptView()
    qtbot.addWidget(view)
    played: list[Playback] = []
    view.player.play = played.append  # no sound card here: what would be played is kept
    segments = [_timed(0.0, "Good morning everyone."), Segment(2.0, 3.0, "No times here.")]
    segments.append(_timed(3.0, "Budget first."))
    view.show_transcript(Transcript("call.wav", "x", segments=segments))
    words = view.live_view
    assert words.toPlainText() == "Good morning everyone. No times here. Budget first."
    words.anchorClicked.emit(QUrl("#3"))  # "Budget"
    assert [(p.start, p.end) for p in played] == [(3.0, None)]
    view.player.jobs.other_event.emit(Playing(3.7))  # the playback reports where it is
    (mark,) = words.extraSelections()
    assert mark.cursor.selectedText() == "first."
    view.player.jobs.other_event.emit(Playing(0.6))
    assert words.extraSelections()[0].cursor.selectedText() == "morning"
    view.player.jobs.busy_changed.emit(False)  # playback ended
    assert words.extraSelections() == []

    view.segments.item(0, TEXT).setText("Good evening everyone.")  # a corrected segment
    assert "evening" in words.toPlainText()
    words.anchorClicked.emit(QUrl("#0"))  # its words lost their times: "Budget" is first now
    assert played[-1].start == 3.0
