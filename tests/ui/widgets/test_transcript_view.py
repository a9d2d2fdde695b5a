"""The transcript box above the segment table while a file is being transcribed."""

from __future__ import annotations

from fmstudio.core.speech.transcripts import Segment
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
