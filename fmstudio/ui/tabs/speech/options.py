"""The choices both speech panels share: model, language, translation, speakers, silence
filter, word times, beam."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QWidget,
)

from fmstudio.core.config import Settings
from fmstudio.core.speech.languages import NAMES, model_languages
from fmstudio.core.speech.requests import MIN_LANGUAGE_PROBABILITY, SpeechOptions
from fmstudio.core.speech.transcripts import Transcript
from fmstudio.ui.widgets.controls import device_combo
from fmstudio.ui.widgets.model_picker import ModelPicker

AUTO = "auto"
SPEAKER_CHOICES: tuple[tuple[str, int | None], ...] = (
    ("Off", None),
    ("Find them", 0),
    *((f"{n}", n) for n in range(2, 11)),
)


def language_menu(combo: QComboBox, languages: tuple[str, ...]) -> None:
    """Auto-detect, then the model's languages by name; the chosen one stays if it can."""
    current = combo.currentData() or AUTO
    combo.blockSignals(True)
    combo.clear()
    combo.addItem("Detect", AUTO)
    for code in languages:
        combo.addItem(f"{NAMES.get(code, code)} ({code})", code)
    index = combo.findData(current)
    combo.setCurrentIndex(max(0, index))
    combo.blockSignals(False)


class SpeechOptionsBar(QWidget):
    changed = Signal()
    """The user changed a choice that decides how speech is transcribed."""

    def __init__(self, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.settings = settings
        self.model_picker = ModelPicker("speech", settings.model("speech"))
        self.language = QComboBox()
        # Sized by its longest name as the model changes ("German (de" was cut): a model's
        # list is filled after the first show.
        self.language.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.language.setToolTip(
            "Spoken language: Detect lets the model tell (shown with the transcript).\n"
            "English-only models (.en) list English only; whisper-base knows 99 languages."
        )
        self.translate = QCheckBox("Translate to English")
        self.translate.setChecked(settings.translate)
        self.speakers = QComboBox()
        for text, value in SPEAKER_CHOICES:
            self.speakers.addItem(text, value)
        self.speakers.setCurrentIndex(max(0, self.speakers.findData(settings.speakers)))
        self.speakers.setToolTip(
            "Who spoke when: Find them counts the voices; a number asks for that many.\n"
            "Rename a speaker or move a segment to another in the table after transcribing."
        )
        self.voices_button = QPushButton("Voices…")
        self.voices_button.setToolTip(
            "The voices fmstudio names by itself when it finds speakers (Ctrl+Shift+V).\n"
            "Right-click a speaker in a transcript to remember their voice."
        )
        self.vad = QCheckBox("Skip silence")
        self.vad.setToolTip("Voice-activity filter: drops silent parts before decoding")
        self.words = QCheckBox("Word times")
        self.words.setToolTip(
            "A time for every word (slower; speakers find them anyway): click a word in the\n"
            "transcript to play from it, and VTT and JSON exports carry the times"
        )
        self.beam = QSpinBox()
        self.beam.setRange(1, 10)
        self.beam.setValue(SpeechOptions.beam_size)
        self.beam.setToolTip("Beam size: larger is slower and sometimes more accurate")
        self.device = device_combo(settings)
        self.sure_language = "en"
        """The last language a transcript was surely in: a clip too short for Whisper to
        tell is transcribed in it (`SpeechOptions.fallback_language`)."""
        self._lay_out()
        self.model_picker.currentTextChanged.connect(self._model_changed)
        self._model_changed()
        for combo in (self.model_picker, self.language, self.speakers, self.device):
            combo.currentIndexChanged.connect(self.changed)
        for box in (self.translate, self.vad, self.words):
            box.toggled.connect(self.changed)
        self.beam.valueChanged.connect(self.changed)

    def _lay_out(self) -> None:
        """Two rows: what is said and how it is written; then how it is decoded."""
        layout = QGridLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        rows = (
            (
                ("Model:", self.model_picker),
                ("Language:", self.language),
                ("", self.translate),
                ("Device:", self.device),
            ),
            (
                ("Speakers:", self._speakers_row()),
                ("", self.vad),
                ("", self.words),
                ("Beam:", self.beam),
            ),
        )
        for row, pairs in enumerate(rows):
            for col, (label, widget) in enumerate(pairs):
                if label:
                    layout.addWidget(QLabel(label), row, col * 2)
                stretch = widget is self.model_picker
                left = Qt.AlignmentFlag(0) if stretch else Qt.AlignmentFlag.AlignLeft
                layout.addWidget(widget, row, col * 2 + 1, alignment=left)
        layout.setColumnStretch(1, 1)

    def _speakers_row(self) -> QWidget:
        """The speakers choice with its Voices… button, in one cell of the grid."""
        row = QWidget()
        layout = QHBoxLayout(row)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.speakers)
        layout.addWidget(self.voices_button)
        return row

    @Slot()
    def _model_changed(self) -> None:
        """The language menu and translation follow what the chosen model understands."""
        languages = model_languages(self.model_name())
        language_menu(self.language, languages)
        multilingual = len(languages) > 1
        self.translate.setEnabled(multilingual)
        self.translate.setToolTip(
            "Write English whatever is spoken"
            if multilingual
            else "This model is English-only: choose whisper-base to translate"
        )

    def options(self) -> SpeechOptions:
        translate = self.translate.isChecked() and self.translate.isEnabled()
        return SpeechOptions(
            self.language.currentData() or AUTO,
            self.beam.value(),
            self.vad.isChecked(),
            self.words.isChecked(),
            self.speakers.currentData(),
            "translate" if translate else "transcribe",
            self.sure_language,
        )

    def heard(self, transcript: Transcript) -> None:
        """Learn the language of a transcript that was chosen or surely detected."""
        sure = transcript.language_probability is None or (
            transcript.language_probability >= MIN_LANGUAGE_PROBABILITY
        )
        if transcript.ok and transcript.language and sure:
            self.sure_language = transcript.language

    def model_name(self) -> str:
        return self.model_picker.model_name()

    def device_name(self) -> str:
        return self.device.currentText()

    def remember(self) -> None:
        """Keep the choices for next time (the tabs save settings on close)."""
        self.settings.remember_model("speech", self.model_name())
        self.settings.device = self.device_name()
        self.settings.speakers = self.speakers.currentData()
        self.settings.translate = self.translate.isChecked()
