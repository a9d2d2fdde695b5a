"""What a classifier task adds to the shared classify tab: its own controls, and how the inputs
waiting to run become the task's request. `ClassifyTab` composes one of these (as the Speech
tab composes its panels), so a new classifier writes controls, not a tab."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout

from fmstudio.core.classify.results import ItemResult
from fmstudio.core.config import Settings
from fmstudio.ui.widgets.controls import device_combo, top_k_spin
from fmstudio.ui.widgets.model_picker import ModelPicker
from fmstudio.ui.widgets.shortcuts import Keys

Shortcut = tuple[str, Keys, Callable[[], None]]


class ClassifyControls(QObject):
    """The model, top-k and device row every classifier shows, plus what a task adds below it.

    The tab lays out `row` (beside its own buttons) and `below`; it asks `request` for the
    job to run and `detail` for each result's second column.
    """

    said = Signal(str)
    """A line for the tab's status."""
    inputs_given = Signal(list, bool)
    """(paths, reveal): files to classify now, the first of them selected when shown."""
    queued = Signal(bool)
    """(reveal): run what waits, with the controls' own inputs (pasted text) if any."""
    results_given = Signal(list)
    """Results the controls made themselves (a recording heard live), for the table."""

    item_header = "Item"
    detail_header = "Details"
    row_height = 0
    """The results table's row height (0: the table's default)."""

    def __init__(self, settings: Settings, task: str, what: str, hint: str) -> None:
        super().__init__()
        self.settings = settings
        self.task = task
        self.hint = hint
        self.model_picker = ModelPicker(task, settings.model(task))
        self.top_k = top_k_spin(settings.top_k_of(task), what)
        self.device = device_combo(settings)
        self.row = QHBoxLayout()
        self.row.addWidget(QLabel("Model:"))
        self.row.addWidget(self.model_picker, 1)
        for widget in (QLabel("Top-k:"), self.top_k, QLabel("Device:"), self.device):
            self.row.addWidget(widget)
        self.below = QVBoxLayout()

    def remember(self) -> str:
        """Keep the choices for the next start; the chosen model's name."""
        model = self.model_picker.model_name()
        self.settings.remember_model(self.task, model)
        self.settings.remember_top_k(self.task, self.top_k.value())
        self.settings.device = self.device.currentText()
        return model

    def has_pending(self) -> bool:
        """Whether the controls hold inputs of their own waiting to run."""
        return False

    def request(self, paths: tuple[str, ...]) -> tuple[object, str]:
        """The request for `paths` and the controls' own inputs (which it takes), and the line
        shown while it runs. Raises ValueError with a message when they cannot run yet."""
        raise NotImplementedError

    def detail(self, result: ItemResult) -> str:
        return ""

    def model_changed(self) -> str:
        """Adapt to the model just chosen; the ready line for it."""
        about = self.model_picker.description() or self.model_picker.model_name()
        return f"Ready: {about}."

    def shortcuts(self) -> list[Shortcut]:
        """(name, keys, slot) the tab adds while it is shown."""
        return []

    def clear(self) -> None:
        """Forget what the controls hold for the results (the tab was cleared)."""

    def is_busy(self) -> bool:
        """Whether a job of the controls' own runs (listening to the microphone)."""
        return False

    def shutdown(self, timeout_ms: int = 30_000) -> None:
        """Stop and wait for the controls' own jobs (the window is closing)."""
