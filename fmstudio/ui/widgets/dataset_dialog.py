"""Choose a dataset folder (and a class) to add classified inputs to, seeing its class counts."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Slot
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QWidget,
)

from fmstudio.core.classify.dataset import Dataset
from fmstudio.core.wording import format_counts, plural
from fmstudio.ui.widgets.folder_field import FolderField, ok_cancel


def counts_text(dataset: Dataset) -> str:
    """`cat: 12 · dog: 9`: the class counts shown wherever a dataset is being grown."""
    counts = dataset.counts()
    if not counts:
        return "no classes yet" if dataset.root.is_dir() else "a new folder"
    return format_counts(counts)


class DatasetDialog(QDialog):
    """The dataset folder (remembered by the caller) and, when adding, the class.

    The class list offers the prediction first, then the dataset's classes and the model's
    labels; typing a new name makes a new class.
    """

    def __init__(
        self,
        task: str,
        folder: str,
        labels: Sequence[str] = (),
        default_label: str | None = None,
        count: int = 0,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.task = task
        self._labels = list(labels)
        what = plural(count, "item") if count else "review decisions"
        self.setWindowTitle(f"Add {what} to a dataset")
        self.folder = FolderField(
            folder, "Dataset folder", "a folder with one sub-folder per class (made if new)"
        )
        self.folder.setToolTip("Files are copied into FOLDER/<class>/; nothing is moved")
        self.folder.textChanged.connect(self._refresh)
        self.counts = QLabel()
        self.counts.setWordWrap(True)
        self.label = QComboBox()
        self.label.setEditable(True)
        self.label.setToolTip("A class of the dataset, a label of the model, or a new name")
        self.buttons = ok_cancel(self)
        form = QFormLayout(self)
        form.addRow("Dataset:", self.folder)
        form.addRow("Classes:", self.counts)
        form.addRow("Add as:", self.label)
        form.addRow(self.buttons)
        form.setRowVisible(self.label, default_label is not None)
        self._default = default_label
        self.resize(620, 0)
        self._refresh()

    def dataset(self) -> Dataset:
        return Dataset(self.folder.text(), self.task)

    def chosen_label(self) -> str:
        return self.label.currentText().strip()

    @Slot()
    def _refresh(self) -> None:
        ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        problem = self.folder.problem()
        ok_button.setEnabled(problem is None)
        if problem is not None:
            self.counts.setText(problem)
            return
        dataset = self.dataset()
        self.counts.setText(counts_text(dataset))
        current = self.chosen_label() or self._default or ""
        options = [self._default or "", *dataset.classes(), *self._labels]
        self.label.clear()
        self.label.addItems(list(dict.fromkeys(o for o in options if o)))
        self.label.setCurrentText(current)
