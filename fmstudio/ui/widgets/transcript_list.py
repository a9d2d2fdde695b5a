"""Every transcript of this session, one row each; failed files are listed with their reason."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QColor
from PySide6.QtWidgets import QListWidget, QListWidgetItem, QWidget

from fmstudio.core.speech.transcripts import Transcript


class TranscriptList(QListWidget):
    """Row n is `transcripts[n]`; the tab stores the user's edits back into the list."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.transcripts: list[Transcript] = []
        self.setToolTip("Transcribed files and recordings: pick one to see, edit and export it")

    def add(self, transcript: Transcript) -> None:
        self.transcripts.append(transcript)
        name = Path(transcript.path).name
        item = QListWidgetItem(name if transcript.ok else f"{name}: {transcript.error}")
        item.setToolTip("\n".join(filter(None, (transcript.path, transcript.error))))
        if not transcript.ok:
            item.setForeground(QColor("#c92a2a"))
        self.addItem(item)

    def last_good_row(self) -> int:
        """The newest transcript that succeeded, or -1."""
        return next((r for r in range(self.count() - 1, -1, -1) if self.transcripts[r].ok), -1)

    def good(self) -> list[Transcript]:
        return [t for t in self.transcripts if t.ok]
