"""Small dialogs: About and the model library."""

from __future__ import annotations

import importlib.metadata
import platform
from collections.abc import Callable
from pathlib import Path

from PySide6 import __version__ as pyside_version
from PySide6.QtCore import Qt, Signal, Slot, qVersion
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from fmstudio import __version__
from fmstudio.core import catalog, library, paths
from fmstudio.core.errors import FmError
from fmstudio.core.logs import log_file
from fmstudio.core.modalities import exportable_tasks, modality, trainable_tasks
from fmstudio.ui.widgets.confirm import ask_name, confirm_losing
from fmstudio.ui.widgets.model_picker import SOURCES


def package_version(name: str) -> str:
    """A package's version without importing it (torch takes seconds to import)."""
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def about_text(device: str) -> str:
    rows = [
        ("fmstudio", __version__),
        ("torch", package_version("torch")),
        ("transformers", package_version("transformers")),
        ("timm", package_version("timm")),
        ("faster-whisper", package_version("faster-whisper")),
        ("Qt", f"{qVersion()} (PySide6 {pyside_version})"),
        ("Python", platform.python_version()),
        ("Device", device),
    ]
    table = "".join(f"<tr><td><b>{k}</b></td><td>{v}</td></tr>" for k, v in rows)
    return (
        f"<h3>fmstudio {__version__}</h3>"
        "<p>A desktop studio for foundation models: classify text and images, transcribe "
        "speech and fine-tune, all on this machine.</p>"
        f"<table cellspacing='6'>{table}</table>"
        f"<p>Models: {paths.models_dir()}<br>Log: {log_file()}</p>"
    )


class AboutDialog(QDialog):
    def __init__(self, device: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("About fmstudio")
        self.label = QLabel(about_text(device))
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok)
        buttons.accepted.connect(self.accept)
        layout = QVBoxLayout(self)
        layout.addWidget(self.label)
        layout.addWidget(buttons)


def _made(entry: catalog.ModelEntry) -> tuple[str, str]:
    """A model of yours: what it measured on its held-out data, and when it was made."""
    if entry.source != "library" or not entry.location:
        return "", ""
    card = library.read_card(Path(entry.location))
    metrics = card.get("metrics") or {}
    family = modality(entry.task).family
    figure = metrics.get(family.metric_keys[0])
    measured = family.headline.format(figure) if isinstance(figure, float) else ""
    return measured, str(card.get("created", ""))[:16].replace("T", " ")


def _action(
    buttons: QDialogButtonBox, text: str, tip: str, slot: Callable[[], None]
) -> QPushButton:
    """A button for the selected row: disabled until a row it applies to is selected."""
    button = QPushButton(text)
    button.setToolTip(tip)
    button.setEnabled(False)
    button.clicked.connect(slot)
    buttons.addButton(button, QDialogButtonBox.ButtonRole.ActionRole)
    return button


class ModelLibraryDialog(QDialog):
    """Lists the catalogue: bundled models, the user's library and well-known hub models."""

    COLUMNS = ("Name", "Task", "Source", "Offline", "Measured", "Created", "Description")
    retrain_requested = Signal(str, str)
    """(task, name): retrain this library model on its dataset as it is now."""
    export_requested = Signal(str, str)
    """(task, name): export this model as ONNX or TorchScript."""
    library_changed = Signal()
    """A model was renamed or deleted: the tabs' pickers list the library again."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Model library")
        self.resize(1000, 380)
        self.table = QTableWidget(0, len(self.COLUMNS))
        self.table.setHorizontalHeaderLabels(self.COLUMNS)
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.entries: list[catalog.ModelEntry] = []
        self.fill()
        note = QLabel(f"Fine-tuned models are saved in {paths.models_dir()}")
        note.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        self.retrain_button = _action(
            buttons,
            "Retrain…",
            "Train the selected model again on its dataset as it is now (same base and "
            "settings), and compare the two",
            self._retrain,
        )
        self.export_button = _action(
            buttons,
            "Export…",
            "Write the selected image or text model as ONNX or TorchScript, to run it "
            "without fmstudio (speech models are CTranslate2 folders already)",
            self._export,
        )
        self.rename_button = _action(
            buttons, "Rename…", "Give the selected model of yours another name", self._rename
        )
        self.delete_button = _action(
            buttons, "Delete…", "Remove the selected model of yours for good", self._delete
        )
        self.table.itemSelectionChanged.connect(self._selection_changed)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addWidget(note)
        layout.addWidget(buttons)

    def fill(self) -> None:
        """Your models first, newest first; then the bundled ones; then the hub's. A click
        on a header sorts by that column."""
        self.table.setSortingEnabled(False)
        entries = catalog.list_models()  # reads every card once; `_made` reads yours again
        made = {e: _made(e) for e in entries}
        newest_first = sorted(entries, key=lambda e: made[e][1], reverse=True)  # stable
        self.entries = sorted(newest_first, key=lambda e: list(SOURCES).index(e.source))
        self.table.setRowCount(len(self.entries))
        for row, e in enumerate(self.entries):
            measured, created = made[e]
            values = (e.name, e.task, SOURCES.get(e.source, e.source), e.availability())
            for col, value in enumerate((*values, measured, created, e.description)):
                item = QTableWidgetItem(value)
                if e.location:
                    item.setToolTip(e.location)
                item.setData(Qt.ItemDataRole.UserRole, row)  # the entry, however it is sorted
                self.table.setItem(row, col, item)
        self.table.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.table.setSortingEnabled(True)  # no indicator: the order above stays until a click

    def selected(self) -> catalog.ModelEntry | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        item = self.table.item(rows[0].row(), 0)
        return None if item is None else self.entries[int(item.data(Qt.ItemDataRole.UserRole))]

    @Slot()
    def _selection_changed(self) -> None:
        entry = self.selected()
        retrainable = (
            entry is not None and entry.source == "library" and entry.task in trainable_tasks()
        )
        self.retrain_button.setEnabled(retrainable)
        yours = entry is not None and entry.source == "library" and bool(entry.location)
        self.rename_button.setEnabled(yours)
        self.delete_button.setEnabled(yours)
        self.export_button.setEnabled(
            entry is not None
            and not entry.problem
            and entry.task in exportable_tasks()
            and entry.source in ("library", "bundled")
            and not catalog.is_frozen(entry.name, entry.task)
        )

    @Slot()
    def _rename(self) -> None:
        entry = self.selected()
        if entry is None or not entry.location:
            return
        name = ask_name(self, "Rename the model", f"New name for {entry.name}:", entry.name)
        if name is None:
            return
        self._change("Cannot rename", lambda: library.rename(Path(entry.location), name))

    @Slot()
    def _delete(self) -> None:
        entry = self.selected()
        if entry is None or not entry.location:
            return
        what = f"{entry.name} ({entry.location}) will be removed for good."
        if not confirm_losing(self, what, "Delete"):
            return
        self._change("Cannot delete", lambda: library.delete(Path(entry.location)))

    def _change(self, refused: str, change: Callable[[], object]) -> None:
        """Rename or delete a model of yours, then list the library again, here and in the
        tabs; a refusal is said in a box titled `refused`."""
        try:
            change()
        except (OSError, FmError) as exc:
            QMessageBox.warning(self, refused, str(exc))
            return
        self.fill()
        self.library_changed.emit()

    @Slot()
    def _export(self) -> None:
        entry = self.selected()
        if entry is not None:
            self.export_requested.emit(entry.task, entry.location or entry.name)

    @Slot()
    def _retrain(self) -> None:
        entry = self.selected()
        if entry is not None:
            self.retrain_requested.emit(entry.task, entry.name)
            self.accept()
