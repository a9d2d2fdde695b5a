"""Choose a dataset folder (and a class) to add classified inputs to, seeing its class counts."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import Slot
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QWidget,
)

from fmstudio.core.curate import format_counts
from fmstudio.core.curate.dataset import Dataset


def counts_text(dataset: Dataset) -> str:
    """`cat 12 · dog 9`: the class counts shown wherever a dataset is being grown."""
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
        what = f"{count} item{'s' if count != 1 else ''}" if count else "review decisions"
        self.setWindowTitle(f"Add {what} to a dataset")
        self.folder = QLineEdit(folder)
        self.folder.setPlaceholderText("a folder with one sub-folder per class (made if new)")
        self.folder.setToolTip("Files are copied into FOLDER/<class>/; nothing is moved")
        self.folder.textChanged.connect(self._refresh)
        browse = QPushButton("Browse…")
        browse.setToolTip("Choose an existing folder, or make a new one in the dialog")
        browse.clicked.connect(self._browse)
        row = QHBoxLayout()
        row.addWidget(self.folder, 1)
        row.addWidget(browse)
        self.counts = QLabel()
        self.counts.setWordWrap(True)
        self.label = QComboBox()
        self.label.setEditable(True)
        self.label.setToolTip("A class of the dataset, a label of the model, or a new name")
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        form.addRow("Dataset:", row)
        form.addRow("Classes:", self.counts)
        form.addRow("Add as:", self.label)
        form.addRow(self.buttons)
        form.setRowVisible(self.label, default_label is not None)
        self._default = default_label
        self.resize(620, 0)
        self._refresh()

    def dataset(self) -> Dataset:
        return Dataset(self.folder.text().strip(), self.task)

    def chosen_label(self) -> str:
        return self.label.currentText().strip()

    @Slot()
    def _browse(self) -> None:
        start = self.folder.text().strip() or str(Path.home())
        chosen = QFileDialog.getExistingDirectory(self, "Dataset folder", start)
        if chosen:
            self.folder.setText(chosen)

    @Slot()
    def _refresh(self) -> None:
        ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        text = self.folder.text().strip()
        if not text:
            self.counts.setText("choose a folder")
            ok_button.setEnabled(False)
            return
        path = Path(text).expanduser()
        if path.exists() and not path.is_dir():
            self.counts.setText(f"{path} is a file, not a folder")
            ok_button.setEnabled(False)
            return
        dataset = self.dataset()
        self.counts.setText(counts_text(dataset))
        ok_button.setEnabled(True)
        current = self.chosen_label() or self._default or ""
        options = [self._default or "", *dataset.classes(), *self._labels]
        self.label.clear()
        self.label.addItems(list(dict.fromkeys(o for o in options if o)))
        self.label.setCurrentText(current)
