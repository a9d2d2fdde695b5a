"""The Image tab: drop images or folders, see what the model thinks they are."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Slot
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QWidget

from fmstudio.core.classify.results import ItemResult
from fmstudio.core.config import Settings
from fmstudio.core.image.requests import ClassifyImages
from fmstudio.core.modalities import IMAGE
from fmstudio.ui.tabs.classify_controls import ClassifyControls, Shortcut
from fmstudio.ui.tabs.classify_tab import ClassifyTab
from fmstudio.ui.tabs.pasting import paste_images

THUMBNAIL = 64


class ImageControls(ClassifyControls):
    """The model row, and pasting an image (a file URL or pixels) from the clipboard."""

    item_header = "Image"
    detail_header = "Folder / error"
    row_height = THUMBNAIL + 4

    def __init__(self, settings: Settings) -> None:
        hint = "Drop images or folders here, use Add images… (Ctrl+O), or paste an image (Ctrl+V)."
        super().__init__(settings, "image", "image", hint)

    def request(self, paths: tuple[str, ...]) -> tuple[ClassifyImages, str]:
        model = self.remember()
        request = ClassifyImages(
            paths, model, self.top_k.value(), device=self.settings.device, thumbnail_size=THUMBNAIL
        )
        return request, f"Classifying with {model}…"

    def detail(self, result: ItemResult) -> str:
        return str(Path(result.path).parent)

    def shortcuts(self) -> list[Shortcut]:
        return [("Paste image", QKeySequence.StandardKey.Paste, self.paste)]

    @Slot()
    def paste(self) -> None:
        """Paste file URLs or image data from the clipboard; pasted pixels are saved first."""
        pasted = paste_images()
        if isinstance(pasted, str):
            self.said.emit(pasted)
        else:
            self.inputs_given.emit(*pasted)


def ImageTab(settings: Settings, parent: QWidget | None = None) -> ClassifyTab:
    """The Image tab (the task table names this, as it names any task's tab)."""
    return ClassifyTab(settings, IMAGE, ImageControls(settings), parent)
