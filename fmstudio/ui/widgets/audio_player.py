"""Plays audio on a worker, one stretch at a time: a new request stops the one playing and
starts once it has stopped (what clicking down a list of segments or recordings expects)."""

from __future__ import annotations

from PySide6.QtCore import QObject, Slot
from PySide6.QtWidgets import QWidget

from fmstudio.core.data.playback import Playback
from fmstudio.ui.jobs import JobController, lazy_job

PLAY = "fmstudio.core.data.playback:play"


class AudioPlayer(QObject):
    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.jobs = JobController(parent)
        self.jobs.busy_changed.connect(self._play_next)
        self._next: Playback | None = None

    def play(self, request: Playback) -> None:
        self._next = request
        if self.jobs.is_busy():
            self.jobs.stop()
        else:
            self._play_next(False)

    @Slot(bool)
    def _play_next(self, busy: bool) -> None:
        if not busy and self._next is not None:
            request, self._next = self._next, None
            self.jobs.start(lazy_job(PLAY, request), "Playing…")

    def shutdown(self, timeout_ms: int = 30_000) -> None:
        self._next = None
        self.jobs.shutdown(timeout_ms)
