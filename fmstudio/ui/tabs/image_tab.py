"""The Image tab: drop images or folders, see what the model thinks they are."""

from __future__ import annotations

import time
from pathlib import Path

from PySide6.QtCore import Slot
from PySide6.QtGui import QGuiApplication, QKeySequence
from PySide6.QtWidgets import QLabel, QWidget

from fmstudio.core import paths
from fmstudio.core.atomic import atomic_target
from fmstudio.core.classify.results import ItemResult
from fmstudio.core.config import Settings
from fmstudio.core.image.requests import ClassifyImages
from fmstudio.core.modalities import IMAGE
from fmstudio.ui.tabs.classify_tab import ClassifyTab
from fmstudio.ui.widgets.controls import device_combo, top_k_spin
from fmstudio.ui.widgets.model_picker import ModelPicker
from fmstudio.ui.widgets.shortcuts import add_shortcut

THUMBNAIL = 64


class ImageTab(ClassifyTab):
    item_header = "Image"
    detail_header = "Folder / error"

    def __init__(self, settings: Settings, parent: QWidget | None = None) -> None:
        hint = "Drop images or folders here, use Add images… (Ctrl+O), or paste an image (Ctrl+V)."
        super().__init__(settings, IMAGE, hint, parent)
        self.model_picker = ModelPicker("image", settings.model("image"))
        self.top_k = top_k_spin(settings.top_k_of("image"), "image")
        self.device = device_combo(settings)
        self.controls.addWidget(QLabel("Model:"))
        self.controls.addWidget(self.model_picker, 1)
        for widget in (QLabel("Top-k:"), self.top_k, QLabel("Device:"), self.device):
            self.controls.addWidget(widget)
        self.finish_controls()
        self.table.set_row_height(THUMBNAIL + 4)
        self.model_picker.currentIndexChanged.connect(self._describe_model)
        self._describe_model()
        add_shortcut(self, "Paste image", QKeySequence.StandardKey.Paste, self.paste)

    @Slot()
    def _describe_model(self) -> None:
        """The ready line names the model that is chosen, not the bundled one."""
        if not self.is_busy():
            about = self.model_picker.description() or self.model_picker.model_name()
            self.status.say(f"Ready: {about}.")

    def take_request(self) -> tuple[ClassifyImages, str]:
        paths, self._pending = tuple(self._pending), []
        model = self.model_picker.model_name()
        self.settings.remember_model("image", model)
        self.settings.remember_top_k("image", self.top_k.value())
        self.settings.device = device = self.device.currentText()
        request = ClassifyImages(
            paths, model, self.top_k.value(), device=device, thumbnail_size=THUMBNAIL
        )
        return request, f"Classifying with {model}…"

    def detail(self, result: ItemResult) -> str:
        return str(Path(result.path).parent)

    @Slot()
    def paste(self) -> None:
        """Paste file URLs or image data from the clipboard; pasted pixels are saved first."""
        clipboard = QGuiApplication.clipboard()
        mime = clipboard.mimeData()
        if mime is not None and mime.hasUrls():
            local = [u.toLocalFile() for u in mime.urls() if u.isLocalFile()]
            if local:
                self.add_paths(local)
                return
        image = clipboard.image()
        if image.isNull():
            self.status.say("The clipboard holds no image.")
            return
        folder = paths.ensure(paths.data_dir() / "pasted")
        target = folder / time.strftime("pasted-%Y%m%d-%H%M%S.png")
        with atomic_target(target) as tmp:
            if not image.save(str(tmp)):  # PNG, from the suffix
                self.status.say("Could not save the pasted image.")
                return
        self.reveal_next_results()
        self.add_paths([str(target)])
