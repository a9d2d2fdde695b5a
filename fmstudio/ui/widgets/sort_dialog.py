"""Sort into folders…: where, copy or move, and the threshold, with the plan shown live."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QWidget,
)

from fmstudio.core.curate import format_counts
from fmstudio.core.curate.sort import UNSURE, SortInto, plan_sort
from fmstudio.core.results import ItemResult


class SortDialog(QDialog):
    def __init__(
        self, results: Sequence[ItemResult], folder: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Sort into folders")
        self.results = results
        self.folder = QLineEdit(folder)
        self.folder.setPlaceholderText("where the class folders go (made if new)")
        self.folder.textChanged.connect(self._plan)
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._browse)
        row = QHBoxLayout()
        row.addWidget(self.folder, 1)
        row.addWidget(browse)
        self.move_files = QCheckBox("Move the files instead of copying them")
        self.move_files.setToolTip("Copying leaves your files as they are; nothing is overwritten")
        self.move_files.toggled.connect(self._plan)
        self.min_score = QDoubleSpinBox()
        self.min_score.setRange(0.0, 100.0)
        self.min_score.setSuffix(" %")
        self.min_score.setDecimals(0)
        self.min_score.setToolTip(f"A top score below this goes to {UNSURE}/")
        self.min_score.valueChanged.connect(self._plan)
        self.plan = QLabel()
        self.plan.setWordWrap(True)
        self.plan.setMinimumHeight(self.plan.fontMetrics().lineSpacing() * 3)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        form.addRow("Into:", row)
        form.addRow("", self.move_files)
        form.addRow("Unsure below:", self.min_score)
        form.addRow(self.plan)
        form.addRow(self.buttons)
        self.resize(600, 0)
        self._plan()

    def options(self) -> SortInto:
        return SortInto(
            self.folder.text().strip(), self.move_files.isChecked(), self.min_score.value() / 100
        )

    @Slot()
    def _browse(self) -> None:
        start = self.folder.text().strip() or str(Path.home())
        chosen = QFileDialog.getExistingDirectory(self, "Sort into", start)
        if chosen:
            self.folder.setText(chosen)

    @Slot()
    def _plan(self) -> None:
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        options = self.options()
        target = Path(options.folder).expanduser()
        if not options.folder or (target.exists() and not target.is_dir()):
            self.plan.setText("Choose a folder." if not options.folder else "That is a file.")
            ok.setEnabled(False)
            return
        outcome = plan_sort(self.results, options)
        counts = format_counts(outcome.counts())
        verb = "Move" if options.move else "Copy"
        text = f"{verb} {len(outcome.placements)} into {target}: {counts}."
        if outcome.unclassified:
            text += f" {len(outcome.unclassified)} failed and stay where they are."
        self.plan.setText(text + " A manifest.csv lists where each went.")
        ok.setText(verb)
        ok.setEnabled(bool(outcome.placements))
