"""The Speech tab lists the computer's sound beside the microphones (a real PulseAudio,
tests/pulse.py) and starts with the input it recorded from last time."""

from __future__ import annotations

import pytest

from fmstudio.core.config import Settings
from fmstudio.ui.tabs.speech.record_panel import RecordState
from fmstudio.ui.tabs.speech.tab import SpeechTab

pytestmark = pytest.mark.slow  # a sound server


def test_system_audio_is_offered_and_the_chosen_input_kept(qtbot, sound):
    settings = Settings(inputs={"speech": "Microphone + System audio (Speakers)"})
    tab = SpeechTab(settings)
    qtbot.addWidget(tab)
    qtbot.waitUntil(lambda: tab.record.state is RecordState.IDLE, timeout=30_000)
    combo = tab.record.input_device
    names = [combo.itemText(i) for i in range(combo.count())]
    assert "System audio (Speakers)" in names
    assert combo.currentText() == "Microphone + System audio (Speakers)"
    assert combo.currentData() == "mix:speakers.monitor"
    combo.setCurrentIndex(names.index("System audio (Speakers)"))
    tab.record.toggle()  # record from it…
    qtbot.waitUntil(lambda: tab.record.state is RecordState.RECORDING, timeout=10_000)
    tab.record.toggle()  # …and stop
    qtbot.waitUntil(lambda: not tab.is_busy(), timeout=60_000)
    assert settings.inputs["speech"] == "System audio (Speakers)"
    tab.shutdown()
