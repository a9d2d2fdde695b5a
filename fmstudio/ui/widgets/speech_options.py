"""The choices both speech panels share: model, language, silence filter, word times, beam."""

from __future__ import annotations

from PySide6.QtWidgets import QCheckBox, QComboBox, QHBoxLayout, QLabel, QSpinBox, QWidget

from fmstudio.core.config import Settings
from fmstudio.core.requests import SpeechOptions
from fmstudio.ui.widgets.controls import device_combo
from fmstudio.ui.widgets.model_picker import ModelPicker

LANGUAGES = ("auto", "en", "de", "fr", "es", "it", "nl", "pt", "pl", "ru", "zh", "ja")


class SpeechOptionsBar(QWidget):
    def __init__(self, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.settings = settings
        self.model_picker = ModelPicker("speech", settings.speech_model)
        self.language = QComboBox()
        self.language.addItems(LANGUAGES)
        self.language.setToolTip("Spoken language; English-only models (.en) need en or auto")
        self.vad = QCheckBox("Skip silence")
        self.vad.setToolTip("Voice-activity filter: drops silent parts before decoding")
        self.words = QCheckBox("Word times")
        self.words.setToolTip("Compute a timestamp for every word (slower)")
        self.beam = QSpinBox()
        self.beam.setRange(1, 10)
        self.beam.setValue(SpeechOptions.beam_size)
        self.beam.setToolTip("Beam size: larger is slower and sometimes more accurate")
        self.device = device_combo(settings)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for label, widget in (
            ("Model:", self.model_picker),
            ("Language:", self.language),
            ("", self.vad),
            ("", self.words),
            ("Beam:", self.beam),
            ("Device:", self.device),
        ):
            if label:
                layout.addWidget(QLabel(label))
            layout.addWidget(widget, 1 if widget is self.model_picker else 0)

    def options(self) -> SpeechOptions:
        return SpeechOptions(
            self.language.currentText(),
            self.beam.value(),
            self.vad.isChecked(),
            self.words.isChecked(),
        )

    def model_name(self) -> str:
        return self.model_picker.model_name()

    def device_name(self) -> str:
        return self.device.currentText()

    def remember(self) -> None:
        """Keep the model and device for next time (the tabs save settings on close)."""
        self.settings.speech_model = self.model_name()
        self.settings.device = self.device_name()
