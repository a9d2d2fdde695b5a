"""The transcript as running text: live text while recording, then words you can click.

A word with a time is a link: clicking it plays the recording from there, and while it
plays the word being said is highlighted. Segments without word times (word times off, or
text the user corrected) are plain text.
"""

from __future__ import annotations

import bisect
import html
from collections.abc import Sequence

from PySide6.QtCore import QUrl, Signal, Slot
from PySide6.QtGui import QColor, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import QTextBrowser, QTextEdit, QWidget

from fmstudio.core.speech.transcripts import Segment

HIGHLIGHT = QColor("#ffe066")


class WordsView(QTextBrowser):
    word_clicked = Signal(float)
    """The start, in seconds, of the word the user clicked."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setOpenLinks(False)
        self.anchorClicked.connect(self._clicked)
        self._starts: list[float] = []
        self._spans: list[tuple[float, float, int, int]] = []
        """Each timed word: start and end seconds, first and last character."""

    def clear(self) -> None:
        super().clear()
        self._starts, self._spans = [], []

    def show_live(self, committed: str, tentative: str) -> None:
        grey = f" <span style='color:gray'>{html.escape(tentative)}</span>" if tentative else ""
        self.clear()
        self.setHtml(f"{html.escape(committed)}{grey}")

    def add_text(self, text: str) -> None:
        """More text at the end (a segment of a file being transcribed)."""
        cursor = QTextCursor(self.document())
        cursor.movePosition(QTextCursor.MoveOperation.End)
        cursor.insertText(f" {text}" if self.toPlainText() else text, QTextCharFormat())

    def show_segments(self, segments: Sequence[Segment]) -> None:
        """The segments' text, each timed word a link to its time."""
        self.clear()
        cursor = QTextCursor(self.document())
        plain = QTextCharFormat()
        for segment in segments:
            if not segment.text.strip():
                continue
            if self.toPlainText():
                cursor.insertText(" ", plain)
            words = segment.spoken_words()
            if not words:
                cursor.insertText(segment.text.strip(), plain)
                continue
            for i, word in enumerate(words):
                text = word.text.strip()
                if i:
                    cursor.insertText(" ", plain)
                first = cursor.position()
                cursor.insertText(text, self._link(len(self._spans)))
                self._spans.append((word.start, word.end, first, cursor.position()))
        self._starts = [span[0] for span in self._spans]

    def _link(self, index: int) -> QTextCharFormat:
        link = QTextCharFormat()
        link.setAnchor(True)
        link.setAnchorHref(f"#{index}")
        link.setToolTip("Click to play from this word")
        return link

    @Slot(QUrl)
    def _clicked(self, url: QUrl) -> None:
        index = int(url.fragment() or -1)
        if 0 <= index < len(self._spans):
            self.word_clicked.emit(self._spans[index][0])

    def word_at(self, seconds: float) -> int:
        """The timed word being said at `seconds` (the last one begun), or -1."""
        return bisect.bisect_right(self._starts, seconds) - 1

    def highlight(self, seconds: float | None) -> None:
        """Mark the word being said at `seconds`; None clears the mark."""
        index = -1 if seconds is None else self.word_at(seconds)
        if index < 0:
            self.setExtraSelections([])
            return
        _, _, first, last = self._spans[index]
        mark = QTextEdit.ExtraSelection()
        mark.cursor = QTextCursor(self.document())
        mark.cursor.setPosition(first)
        mark.cursor.setPosition(last, QTextCursor.MoveMode.KeepAnchor)
        mark.format.setBackground(HIGHLIGHT)
        self.setExtraSelections([mark])
        at = QTextCursor(self.document())  # no selection: the mark's colour shows, and
        at.setPosition(first)  # the box scrolls to the word
        self.setTextCursor(at)
        self.ensureCursorVisible()
