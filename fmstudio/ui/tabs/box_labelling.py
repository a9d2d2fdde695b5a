"""What turns the Detect tab's results into a dataset: boxes fixed by hand, images added with
their boxes (Enter, one after another), the class a drawn box gets, and one undo history for
both edits and additions (Ctrl+Z, Ctrl+Shift+Z).

The tab owns one `BoxLabelling`; it shares the tab's list of results and says, with `changed`,
which result it replaced or marked so that the tab shows it. The writing itself is the core's
`add_detections`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack
from PySide6.QtWidgets import QComboBox, QFileDialog, QLabel, QWidget

from fmstudio.core.config import Settings
from fmstudio.core.detect.dataset import Added, add_detections, undo
from fmstudio.core.detect.editing import edited
from fmstudio.core.detect.formats import yolo_classes, yolo_classes_file
from fmstudio.core.detect.results import Box, Detections
from fmstudio.core.errors import FmError
from fmstudio.core.modalities import DETECT
from fmstudio.core.wording import plural

NEW_CLASS = "object"
"""What a drawn box is called before any class is known."""
KEYS = 9
"""Number keys 1-9 name the first nine classes."""


class _Replace(QUndoCommand):
    """A person changed an image's boxes."""

    def __init__(self, labelling: BoxLabelling, before: Detections, after: Detections, text: str):
        super().__init__(text)
        self.labelling, self.before, self.after = labelling, before, after

    def redo(self) -> None:
        self.labelling.swap(self.before, self.after)

    def undo(self) -> None:
        self.labelling.swap(self.after, self.before)


class _Addition(QUndoCommand):
    """Images went into the dataset; pushed once written, so the first redo does nothing."""

    def __init__(self, labelling: BoxLabelling, results: list[Detections], added: Added):
        super().__init__(f"adding {DETECT.count(added.images)} to the dataset")
        self.labelling, self.results, self.added = labelling, results, added
        self._written = True

    def redo(self) -> None:
        if self._written:
            self._written = False
            return
        try:
            self.added = self.labelling.write(self.results, self.added.folder)
        except (OSError, FmError) as exc:
            self.labelling.said.emit(f"Could not add to {self.added.folder} again: {exc}")
            self.setObsolete(True)

    def undo(self) -> None:
        self.labelling.take_back(self.added)


class BoxLabelling(QObject):
    said = Signal(str)
    """A line for the tab's status."""
    changed = Signal(int)
    """The index of a result that was replaced or added (or taken back)."""

    def __init__(
        self,
        settings: Settings,
        results: list[Detections],
        min_score: Callable[[], float],
        owner: QWidget,
    ) -> None:
        super().__init__(owner)
        self.settings, self.results, self.owner = settings, results, owner
        self.min_score = min_score
        self.history = QUndoStack(self)
        self.placed: dict[str, Path] = {}
        """Each image added to the dataset (its own path) → its copy there."""
        self.box_class = QComboBox()
        self.box_class.setEditable(True)
        self.box_class.setMinimumWidth(140)
        self.box_class.setToolTip(
            "The class of the boxes you draw (type a new one and press Enter); with a box "
            "selected, 1-9 give it the class of that number"
        )
        self.keys = QLabel()
        remembered = self.settings.datasets.get(DETECT.task, "")
        self.dataset_label = QLabel(f"Dataset: {remembered}" if remembered else "No dataset yet")
        self._dataset_classes: list[str] = []
        self._read_dataset_classes()
        self.refresh_classes()

    # the classes and their keys ---------------------------------------------------------

    def new_label(self) -> str:
        return self.box_class.currentText().strip() or NEW_CLASS

    def refresh_classes(self) -> None:
        """The classes listed so far (typed ones too), then the dataset's, then those the
        results show: the list only grows, so that a number key keeps its class."""
        seen = [b.label for r in self.results for b in r.above(self.min_score())]
        typed = self.classes()
        classes = list(dict.fromkeys([*typed, *self._dataset_classes, *seen]))
        if classes != typed:
            current = self.box_class.currentText()
            self.box_class.blockSignals(True)
            self.box_class.clear()
            self.box_class.addItems(classes)
            self.box_class.setCurrentText(current or (classes[0] if classes else NEW_CLASS))
            self.box_class.blockSignals(False)
        keyed = [f"{n} {c}" for n, c in enumerate(classes[:KEYS], start=1)]
        self.keys.setText(" · ".join(keyed))

    def _read_dataset_classes(self) -> None:
        """The dataset's class list, read when the dataset is chosen or written to (not on
        every threshold step or box edit, which refresh the list)."""
        folder = self.settings.datasets.get(DETECT.task, "")
        names = yolo_classes_file(Path(folder)) if folder else None
        self._dataset_classes = yolo_classes(names) if names is not None else []

    def classes(self) -> list[str]:
        return [self.box_class.itemText(i) for i in range(self.box_class.count())]

    def class_of_key(self, number: int) -> str | None:
        """The class number key `number` names (None beyond the list)."""
        if 1 <= number <= min(KEYS, self.box_class.count()):
            return self.box_class.itemText(number - 1)
        return None

    # edits ------------------------------------------------------------------------------

    def replace(self, index: int, boxes: Sequence[Box], what: str) -> None:
        """Result `index` now has `boxes` (a person's `what`: "moving a box"), undoably."""
        before = self.results[index]
        self.history.push(_Replace(self, before, edited(before, boxes), what))

    def swap(self, old: Detections, new: Detections) -> None:
        for index, result in enumerate(self.results):
            if result is old:
                self.results[index] = new
                self.changed.emit(index)
                return

    # additions --------------------------------------------------------------------------

    def folder(self) -> Path | None:
        """The dataset this tab adds to: the last one, else one the user chooses now."""
        folder = self.settings.datasets.get(DETECT.task, "")
        if not folder:
            folder = QFileDialog.getExistingDirectory(
                self.owner, "Choose or make a dataset folder", self.settings.folder("data:detect")
            )
            if not folder:
                return None
            self.settings.datasets = {**self.settings.datasets, DETECT.task: folder}
        self.dataset_label.setText(f"Dataset: {folder}")
        self._read_dataset_classes()
        return Path(folder)

    def add(self, results: Sequence[Detections]) -> bool:
        """The images with the boxes shown become training examples; what it did, said."""
        good = [r for r in results if r.ok]
        if not good:
            self.said.emit("Select images that were read to add them to a dataset.")
            return False
        folder = self.folder()
        if folder is None:
            return False
        shown = [edited(r, r.above(self.min_score())) for r in good]
        try:
            added = self.write(shown, folder)
        except (OSError, FmError) as exc:
            self.said.emit(f"Could not add to {folder}: {exc}")
            return False
        self.history.push(_Addition(self, shown, added))
        again = f", {len(added.previous)} of them again with new boxes" if added.previous else ""
        self.said.emit(
            f"Added {DETECT.count(added.images)} with {plural(added.boxes, 'box')} to {folder}"
            f"{again} (Ctrl+Z takes it back)."
        )
        return True

    def write(self, results: Sequence[Detections], folder: Path) -> Added:
        here = {path: copy for path, copy in self.placed.items() if copy.parent.parent == folder}
        added = add_detections(results, 0.0, folder, here)
        self.placed.update(added.placed)
        self._changed(added)
        self._read_dataset_classes()
        self.refresh_classes()
        return added

    def take_back(self, added: Added) -> None:
        undo(added)
        for path, copy in added.placed.items():
            if copy in added.files:
                self.placed.pop(path, None)
        self._changed(added)

    def _changed(self, added: Added) -> None:
        for index, result in enumerate(self.results):
            if result.path in added.placed:
                self.changed.emit(index)

    def is_added(self, result: Detections) -> bool:
        return result.path in self.placed

    def next_row(self, row: int) -> int | None:
        """The first readable image after `row` (wrapping round) not yet in the dataset."""
        count = len(self.results)
        for step in range(1, count + 1):
            result = self.results[(row + step) % count]
            if result.ok and not self.is_added(result):
                return (row + step) % count
        return None

    # the history ------------------------------------------------------------------------

    def undo(self) -> None:
        if not self.history.canUndo():
            self.said.emit("Nothing to take back.")
            return
        what = self.history.undoText()
        self.history.undo()
        self.said.emit(f"Undone: {what} (Ctrl+Shift+Z does it again).")

    def redo(self) -> None:
        if not self.history.canRedo():
            self.said.emit("Nothing to do again.")
            return
        what = self.history.redoText()
        self.history.redo()
        self.said.emit(f"Done again: {what}.")

    def forget(self) -> None:
        """The results are cleared: what an undo would change is gone (the dataset stays)."""
        self.history.clear()
        self.placed.clear()
