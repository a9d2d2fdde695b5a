"""Small controls every tab shows the same way: the device choice and the top-k count."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QSpinBox

from fmstudio.core.config import Settings
from fmstudio.core.devices import DEVICE_CHOICES


def device_combo(settings: Settings) -> QComboBox:
    combo = QComboBox()
    combo.addItems(DEVICE_CHOICES)
    combo.setCurrentText(settings.device if settings.device in DEVICE_CHOICES else "auto")
    combo.setToolTip("Where the model runs: auto picks CUDA, then Apple MPS, then the CPU")
    return combo


def top_k_spin(value: int, what: str) -> QSpinBox:
    spin = QSpinBox()
    spin.setRange(1, 50)
    spin.setValue(value)
    spin.setToolTip(f"How many labels to rank for each {what}")
    return spin
