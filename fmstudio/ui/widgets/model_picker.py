"""An editable model picker: catalogue entries with their source, or any typed name."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QWidget

from fmstudio.core import catalog

SOURCES = {"library": "yours", "bundled": "bundled", "hub": "hub"}
"""How the window names where a model comes from (the catalogue's "library" is the user's)."""


class ModelPicker(QComboBox):
    """`training`: lists the models training can start from (a sound tab's tagger cannot
    train, the sound-effects CNN only trains) rather than those a tab can try."""

    def __init__(
        self, task: str, current: str = "", parent: QWidget | None = None, training: bool = False
    ) -> None:
        super().__init__(parent)
        self.task = task
        self.training = training
        self.setEditable(True)
        self.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.setMinimumContentsLength(14)
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.setToolTip(
            "Pick a model, or type a library name, a folder, a timm name or a Hugging Face id.\n"
            "Hub models need the network the first time."
        )
        self.refresh(current)

    def refresh(self, select: str = "") -> None:
        """Re-read the catalogue (a newly saved model appears at once)."""
        select = select or self.model_name()
        self.blockSignals(True)
        self.clear()
        for entry in catalog.list_models(self.task):
            if not (entry.trainable if self.training else entry.tries):
                continue
            usable = entry.availability()
            source = SOURCES.get(entry.source, entry.source)
            where = source if usable == "offline" else f"{source}, {usable}"
            self.addItem(f"{entry.name}  ({where})", entry.name)
            tip = entry.description or entry.location
            self.setItemData(self.count() - 1, tip, Qt.ItemDataRole.ToolTipRole)
        self.blockSignals(False)
        if select:
            self.select(select)

    def show_task(self, task: str, select: str) -> None:
        """List `task`'s models and choose `select`: a name chosen or typed for another task
        does not carry over (a speech model on an image task fails later, and misleads)."""
        self.task = task
        self.setEditText("")
        self.refresh(select)

    def select(self, name: str) -> None:
        index = self.findData(name)
        if index >= 0:
            self.setCurrentIndex(index)
        else:
            self.setEditText(name)

    def description(self) -> str:
        """What the chosen catalogue entry is, or "" for a typed name."""
        index = self.findText(self.currentText().strip())
        return str(self.itemData(index, Qt.ItemDataRole.ToolTipRole) or "") if index >= 0 else ""

    def model_name(self) -> str:
        """The chosen catalogue name, or what the user typed."""
        text = self.currentText().strip()
        index = self.findText(text)
        if index >= 0:
            return str(self.itemData(index))
        return text
