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
    QFormLayout,
    QLabel,
    QWidget,
)

from fmstudio.core.classify.results import ItemResult
from fmstudio.core.classify.sort import UNSURE, SortInto, plan_sort
from fmstudio.core.wording import format_counts
from fmstudio.ui.widgets.folder_field import FolderField, ok_cancel


class SortDialog(QDialog):
    def __init__(
        self,
        results: Sequence[ItemResult],
        folder: str,
        parent: QWidget | None = None,
        unsure_below: float = 0.0,
    ) -> None:
        """`unsure_below`: the model's own threshold, the one offered first."""
        super().__init__(parent)
        self.setWindowTitle("Sort into folders")
        self.results = results
        self.folder = FolderField(folder, "Sort into", "where the class folders go (made if new)")
        self.folder.textChanged.connect(self._plan)
        self.move_files = QCheckBox("Move the files instead of copying them")
        self.move_files.setToolTip("Copying leaves your files as they are; nothing is overwritten")
        self.move_files.toggled.connect(self._plan)
        self.min_score = QDoubleSpinBox()
        self.min_score.setRange(0.0, 100.0)
        self.min_score.setSuffix(" %")
        self.min_score.setDecimals(0)
        self.min_score.setValue(round(unsure_below * 100))
        tip = f"A top score below this goes to {UNSURE}/"
        if unsure_below > 0:
            tip += f" (the model's own threshold, from its validation files: {unsure_below:.0%})"
        self.min_score.setToolTip(tip)
        self.min_score.valueChanged.connect(self._plan)
        self.plan = QLabel()
        self.plan.setWordWrap(True)
        self.plan.setMinimumHeight(self.plan.fontMetrics().lineSpacing() * 3)
        self.buttons = ok_cancel(self)
        form = QFormLayout(self)
        form.addRow("Into:", self.folder)
        form.addRow("", self.move_files)
        form.addRow("Unsure below:", self.min_score)
        form.addRow(self.plan)
        form.addRow(self.buttons)
        self.resize(600, 0)
        self._plan()

    def options(self) -> SortInto:
        return SortInto(
            self.folder.text(), self.move_files.isChecked(), self.min_score.value() / 100
        )

    @Slot()
    def _plan(self) -> None:
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        options = self.options()
        problem = self.folder.problem()
        if problem is not None:
            self.plan.setText(problem[0].upper() + problem[1:] + ".")
            ok.setEnabled(False)
            return
        target = Path(options.folder).expanduser()
        outcome = plan_sort(self.results, options)
        counts = format_counts(outcome.counts())
        verb = "Move" if options.move else "Copy"
        text = f"{verb} {len(outcome.placements)} into {target}: {counts}."
        if outcome.unclassified:
            text += f" {len(outcome.unclassified)} failed and stay where they are."
        self.plan.setText(text + " A manifest.csv lists where each went.")
        ok.setText(verb)
        ok.setEnabled(bool(outcome.placements))
