"""Corrected segments into a speech dataset: the Speech tab's Add to dataset and its undo.

The clips are cut and written by the core (`add_clips`) in the audiofolder layout that speech
fine-tuning reads; adding a few segments takes milliseconds, so it runs on the GUI thread.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QFileDialog, QWidget

from fmstudio.core.config import Settings
from fmstudio.core.errors import FmError
from fmstudio.core.speech.dataset import ClipsAdded, SpokenClip, add_clips, clip_count
from fmstudio.core.speech.dataset import undo_clips as undo_added
from fmstudio.core.wording import plural
from fmstudio.ui.widgets.transcript_view import TranscriptView


class SpeechCuration(QObject):
    said = Signal(str)
    dataset_changed = Signal(str)
    """The dataset in use, after an add or an undo changed it (its folder)."""

    def __init__(self, settings: Settings, view: TranscriptView, owner: QWidget) -> None:
        super().__init__(owner)
        self.settings = settings
        self.view = view
        self.owner = owner
        self._added: list[ClipsAdded] = []

    def folder(self) -> str:
        return self.settings.datasets.get("speech", "")

    def contents(self) -> str:
        """What the dataset holds, as the dataset row shows it."""
        try:
            return plural(clip_count(self.folder()), "clip")
        except (OSError, ValueError) as exc:
            return f"its table cannot be read ({exc})"

    def add(self) -> None:
        """The selected segments, or else every corrected one, into the chosen dataset."""
        transcript = self.view.edited()
        if transcript is None:
            self.said.emit("Transcribe or record something first.")
            return
        rows = self.view.selected_rows() or self.view.corrected_rows()
        if not rows:
            self.said.emit("Correct a segment's text (double-click it), or select segments.")
            return
        start = self.folder() or self.settings.folder("dataset:speech")
        folder = QFileDialog.getExistingDirectory(self.owner, "Speech dataset folder", start)
        if not folder:
            return
        clips = [
            SpokenClip(transcript.path, s.start, s.end, s.text)
            for s in (transcript.segments[row] for row in rows)
        ]
        try:
            added = add_clips(folder, clips, transcript.audio)
        except (FmError, OSError) as exc:
            self.said.emit(f"Could not add to {folder}: {exc}")
            return
        self.settings.datasets = {**self.settings.datasets, "speech": folder}
        if added.names:
            self._added.append(added)
        self.view.segments.setFocus()  # so Ctrl+Z undoes the add, not a text field's typing
        self.said.emit(f"{added.summary()} {folder} now has {plural(clip_count(folder), 'clip')}.")
        self.dataset_changed.emit(folder)

    def undo(self) -> None:
        if not self._added:
            self.said.emit("Nothing to undo.")
            return
        added = self._added.pop()
        try:
            removed = undo_added(added)
        except OSError as exc:
            self.said.emit(f"Could not undo: {exc}")
            return
        self.said.emit(f"Undone: {plural(removed, 'clip')} removed.")
        self.dataset_changed.emit(self.folder())
