"""The speech choices: the language a clip too short to place falls back to."""

from __future__ import annotations

from fmstudio.core.config import Settings
from fmstudio.core.speech.transcripts import Transcript
from fmstudio.ui.tabs.speech.options import SpeechOptionsBar


def test_the_fallback_is_the_last_language_the_session_was_sure_of(qtbot) -> None:
    bar = SpeechOptionsBar(Settings())
    qtbot.addWidget(bar)
    assert bar.options().fallback_language == "en"
    bar.heard(Transcript("a.wav", "Guten Morgen", language="de", language_probability=0.93))
    assert bar.options().fallback_language == "de"
    bar.heard(Transcript("b.wav", "Neu", language="ru", language_probability=0.26))  # unsure
    bar.heard(Transcript("c.wav", error="not a readable audio file"))
    assert bar.options().fallback_language == "de"
    bar.heard(Transcript("d.wav", "Bonjour", language="fr", language_probability=None))  # chosen
    assert bar.options().fallback_language == "fr"
