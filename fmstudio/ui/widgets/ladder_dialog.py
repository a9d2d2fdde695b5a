"""Is training worth it? Each step's accuracy, macro-F1 and minutes on the same held-out
files, filled in as each finishes (the ladder job), so a user can stop before paying for the
next one."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Slot
from PySide6.QtWidgets import QHeaderView, QLabel, QTableWidget, QVBoxLayout, QWidget

from fmstudio.core.events import Partial
from fmstudio.core.requests import Ladder
from fmstudio.core.wording import duration
from fmstudio.ui.jobs import lazy_job
from fmstudio.ui.widgets.cells import table_item
from fmstudio.ui.widgets.job_dialog import JobDialog
from fmstudio.ui.widgets.job_status import JobStatus

LADDER = "fmstudio.core.audit.ladder:ladder"
WHAT = {
    "zero-shot": "Zero-shot: the class names as labels, no training",
    "probe": "Probe: a logistic regression on frozen embeddings",
    "head": "Head mode: a new classifier on the frozen network",
    "full": "Full fine-tuning: every weight of the network",
}


class LadderDialog(JobDialog):
    def __init__(self, parent: QWidget, task: str, device: str = "auto") -> None:
        super().__init__(parent, task, device)
        self.setWindowTitle("Is training worth it?")
        self.resize(640, 300)
        self.table = QTableWidget(0, 4)
        self.table.setHorizontalHeaderLabels(["Step", "Accuracy", "Macro-F1", "Time"])
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().hide()
        self.caption = QLabel(
            "Every step is measured on the same held-out files; the training steps train a "
            "model that is not kept. Stop once the next step is not worth its minutes."
        )
        self.caption.setWordWrap(True)
        self.jobs.partial.connect(self._rung)
        layout = QVBoxLayout(self)
        layout.addWidget(self.caption)
        layout.addWidget(self.table, 1)
        layout.addWidget(JobStatus(self.jobs))

    def start(self, root: str) -> bool:
        """Climb the ladder on `root` (False while a climb runs)."""
        self.table.setRowCount(0)
        request = Ladder(root, self.task, self.device)
        return self.jobs.start(lazy_job(LADDER, request), "Measuring each step…")

    @Slot(object)
    def _rung(self, event: Partial[Any]) -> None:
        for rung in event.items:
            row = self.table.rowCount()
            self.table.insertRow(row)
            cells = [
                WHAT.get(rung.name, rung.name),
                f"{rung.accuracy:.1%}",
                f"{rung.macro_f1:.3f}",
                duration(rung.seconds),
            ]
            for c, text in enumerate(cells):
                self.table.setItem(row, c, table_item(text, align_right=c > 0))
