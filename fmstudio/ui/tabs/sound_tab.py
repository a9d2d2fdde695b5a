"""The Sound tab: drop recordings or folders, see which sounds each holds and when."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from fmstudio.core.classify.results import ItemResult
from fmstudio.core.config import Settings
from fmstudio.core.modalities import SOUND
from fmstudio.core.sound.requests import ClassifySounds
from fmstudio.core.sound.results import SoundResult
from fmstudio.ui.tabs.classify_controls import ClassifyControls
from fmstudio.ui.tabs.classify_tab import ClassifyTab

SHOWN_SEGMENTS = 6
"""The detail column names this many stretches; the tooltip and the exports hold them all."""


def clock(seconds: float) -> str:
    """`1:05.3`: minutes and seconds to a tenth."""
    minutes, rest = divmod(seconds, 60)
    return f"{int(minutes)}:{rest:04.1f}"


def timeline_text(result: SoundResult, limit: int | None = SHOWN_SEGMENTS) -> str:
    """Which sound when, in one line: `0:00.0-0:02.7 Speech · 0:03.7-0:06.7 Telephone`."""
    parts = [f"{clock(s.start)}-{clock(s.end)} {s.label}" for s in result.segments]
    more = len(parts) - limit if limit is not None and len(parts) > limit else 0
    text = " · ".join(parts[:limit] if more else parts)
    return f"{text} · {more} more" if more else text or "nothing clear"


class SoundControls(ClassifyControls):
    """The model row; each result's detail is its timeline."""

    item_header = "Recording"
    detail_header = "Which sound when / error"

    def __init__(self, settings: Settings) -> None:
        hint = (
            "Drop recordings (audio or video) or folders here, or use Add recordings… (Ctrl+O): "
            "each one's sounds, and which sound when."
        )
        super().__init__(settings, SOUND.task, "sound", hint)

    def request(self, paths: tuple[str, ...]) -> tuple[ClassifySounds, str]:
        model = self.remember()
        request = ClassifySounds(paths, model, self.top_k.value(), device=self.settings.device)
        return request, f"Listening with {model or SOUND.default_model}…"

    def detail(self, result: ItemResult) -> str:
        return timeline_text(result) if isinstance(result, SoundResult) and result.ok else ""


def SoundTab(settings: Settings, parent: QWidget | None = None) -> ClassifyTab:
    """The Sound tab (the task table names this, as it names any task's tab)."""
    return ClassifyTab(settings, SOUND, SoundControls(settings), parent)
