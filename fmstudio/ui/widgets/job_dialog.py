"""A window that runs one job on a dataset folder for one task (the audit, the ladder).

Opening it again while its job runs only raises it; closing it stops the job, and its owner
shuts it down with the rest of the window.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QDialog, QWidget

from fmstudio.ui.jobs import JobController


class JobDialog(QDialog):
    def __init__(self, parent: QWidget, task: str, device: str = "auto") -> None:
        super().__init__(parent)
        self.task, self.device = task, device
        self.jobs = JobController(self)

    def start(self, root: str) -> bool:
        """Start the job on `root` (False while one runs)."""
        raise NotImplementedError

    def open_on(self, root: str) -> None:
        """Show the window over its owner and start on `root`, unless the job is running."""
        self.show()
        self.raise_()
        if not self.jobs.is_busy():
            self.start(root)

    def shutdown(self, timeout_ms: int = 30_000) -> None:
        self.jobs.shutdown(timeout_ms)

    def closeEvent(self, event: Any) -> None:
        self.jobs.stop()
        super().closeEvent(event)
