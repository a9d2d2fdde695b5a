"""What turns a classify tab's results into data: Add to dataset, review least sure first, undo.

The tab owns one `Curation`; it keeps the dataset, the undo stack and the review queue, and
reads the keyboard of the results table while a review runs (1-9 and 0 a class, Enter the
prediction, S or Space to skip). The copying itself is the core's `Dataset`.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QLabel, QWidget

from fmstudio.core.classify.dataset import AddRecord, Dataset, Item
from fmstudio.core.classify.results import ItemResult
from fmstudio.core.classify.review import ReviewQueue, class_keys, review_classes
from fmstudio.core.config import Settings
from fmstudio.core.errors import FmError
from fmstudio.core.wording import plural
from fmstudio.ui.widgets.dataset_dialog import DatasetDialog, counts_text
from fmstudio.ui.widgets.results_table import ResultsTable

ACCEPT_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)
SKIP_KEYS = (Qt.Key.Key_S, Qt.Key.Key_Space)


@dataclass
class _Step:
    """One undoable step: an add (its record) or a skip, and the results it covered."""

    indices: list[int]
    record: AddRecord | None
    reviewed: bool


class Curation(QObject):
    said = Signal(str)
    """A line for the tab's status."""
    dataset_changed = Signal(str)
    """The dataset folder in use (the tab's Train button follows it)."""
    review_changed = Signal(bool)

    def __init__(self, task: str, settings: Settings, table: ResultsTable, owner: QWidget):
        super().__init__(owner)
        self.task = task
        self.settings = settings
        self.table = table
        self.owner = owner
        self.bar = QLabel()
        self.bar.setWordWrap(True)
        self.bar.setStyleSheet("QLabel { background: #fff4d6; padding: 4px; }")
        self.bar.hide()
        self.queue: ReviewQueue | None = None
        self.classes: list[str] = []
        self.keys: dict[str, str] = {}
        """Digit key → class, while reviewing."""
        self._steps: list[_Step] = []
        self._dataset: Dataset | None = None
        table.view.installEventFilter(self)

    # the dataset -------------------------------------------------------------------

    def folder(self) -> str:
        return self.settings.datasets.get(self.task, "")

    def dataset(self) -> Dataset | None:
        folder = self.folder()
        if not folder:
            return None
        if self._dataset is None or str(self._dataset.root) != folder:
            self._dataset = Dataset(folder, self.task)
        return self._dataset

    def use_folder(self, folder: str) -> None:
        self._use(Dataset(folder, self.task))

    def _use(self, dataset: Dataset) -> None:
        self.settings.datasets = {**self.settings.datasets, self.task: str(dataset.root)}
        self._dataset = dataset
        self.dataset_changed.emit(str(dataset.root))

    def _results(self, indices: list[int]) -> list[ItemResult]:
        every = self.table.results()
        return [every[i] for i in indices]

    def add_selected(self) -> None:
        """Add to dataset…: the selected rows (that were classified), into a class."""
        indices = [i for i in self.table.selected_indices() if self.table.results()[i].ok]
        if not indices:
            self.said.emit("Select one or more classified rows to add them to a dataset.")
            return
        results = self._results(indices)
        top = results[0].top
        dialog = DatasetDialog(
            self.task,
            self.folder(),
            review_classes(self.table.results(), ()),
            top.label if top else "",
            len(indices),
            self.owner,
        )
        if not dialog.exec():
            return
        try:
            self._use(dialog.dataset())
            self._add(indices, dialog.chosen_label(), reviewed=self.queue is not None)
        except FmError as exc:
            self.said.emit(str(exc))
            return
        if self.queue is not None:  # a class with no key, chosen in the dialog mid-review
            label = dialog.chosen_label()
            for i in indices:
                if i in self.queue.order:
                    self.queue.decide(i, label)
            if label not in self.classes:  # it gets the next free key; the others keep theirs
                self.classes.append(label)
                self.keys = class_keys(self.classes)
            self._select_next()

    def _add(self, indices: list[int], label: str, reviewed: bool) -> AddRecord:
        dataset = self.dataset()
        assert dataset is not None
        record = dataset.add([Item.of(r) for r in self._results(indices)], label)
        self._steps.append(_Step(indices, record, reviewed))
        placed = {a.item.source for a in record.placed}
        for i, r in zip(indices, self._results(indices), strict=True):
            self.table.mark(i, f"→ {record.label}" if r.path in placed else "already there")
        self.said.emit(f"{record.summary()} Dataset: {counts_text(dataset)}")
        self.table.view.setFocus()  # so Ctrl+Z undoes the add, not a text field's typing
        self.dataset_changed.emit(str(dataset.root))
        return record

    def undo(self) -> None:
        """Take back the last add or review decision: its files go, its rows come back."""
        if not self._steps:
            self.said.emit("Nothing to undo.")
            return
        step = self._steps.pop()
        removed = 0
        dataset = self.dataset()
        if step.record is not None and dataset is not None:
            removed = dataset.undo(step.record)
        for i in step.indices:
            self.table.mark(i, None)
            if step.reviewed and self.queue is not None:
                self.queue.undo(i)
        if step.reviewed and self.queue is not None:
            self.table.select_result(step.indices[0])
            self._show_bar()
        if step.record is None:
            self.said.emit("Undone: the skipped file is back in the review.")
        else:
            self.said.emit(f"Undone: {plural(removed, 'file')} removed.")
        self.dataset_changed.emit(self.folder())

    def forget_results(self) -> None:
        """The table is being cleared: its rows (and so what an undo would unmark) go."""
        self.stop_review()
        self._steps.clear()

    # review ------------------------------------------------------------------------

    def start_review(self, limit: int | None = None, order: list[int] | None = None) -> bool:
        """Least sure first (or in `order`), by keyboard; asks for the dataset when none is
        chosen yet."""
        if not any(r.ok for r in self.table.results()):  # before asking for a dataset folder
            self.said.emit("Nothing to review yet: classify some files first.")
            return False
        if self.dataset() is None:
            dialog = DatasetDialog(self.task, "", parent=self.owner)
            if not dialog.exec():
                return False
            self._use(dialog.dataset())
        dataset = self.dataset()
        assert dataset is not None
        self.queue = ReviewQueue(self.table.results(), limit, order)
        if not self.queue.order:
            self.queue = None
            self.said.emit("Nothing to review yet: classify some files first.")
            return False
        self.classes = review_classes(self.table.results(), dataset.classes())
        self.keys = class_keys(self.classes)
        self.table.filter_edit.clear()
        self.table.sort_by_score()
        self._select_next()
        self.table.view.setFocus()
        self.review_changed.emit(True)
        return True

    def stop_review(self) -> None:
        self.queue = None
        self.bar.hide()
        self.review_changed.emit(False)

    def is_reviewing(self) -> bool:
        return self.queue is not None

    def decide(self, label: str | None) -> None:
        """The current row gets `label` (added to the dataset), or is skipped (None)."""
        queue = self.queue
        if queue is None:
            return
        index = self.table.current_index()
        if index is None or index not in queue.order:
            index = queue.current()
        if index is None:
            return
        queue.decide(index, label)
        if label is None:
            self._steps.append(_Step([index], None, reviewed=True))
            self.table.mark(index, "skipped")
        else:
            try:
                self._add([index], label, reviewed=True)
            except FmError as exc:
                queue.undo(index)
                self.said.emit(str(exc))
                return
        self._select_next()

    def accept_prediction(self) -> None:
        index = self.table.current_index()
        queue = self.queue
        if queue is not None and (index is None or index not in queue.order):
            index = queue.current()
        top = self.table.results()[index].top if index is not None else None
        if top is not None:
            self.decide(top.label)

    def _select_next(self) -> None:
        assert self.queue is not None
        index = self.queue.current()
        if index is not None:
            self.table.select_result(index)
        self._show_bar()

    def _show_bar(self) -> None:
        queue = self.queue
        if queue is None:
            return
        keys = "  ".join(f"<b>[{k}]</b>&nbsp;{escape(c)}" for k, c in self.keys.items())
        done = "" if queue.remaining else "  Done: train on the dataset, or review more."
        self.bar.setText(
            f"<b>Review</b>: {queue.counter()}.{done}<br>{keys}&nbsp;&nbsp; "
            "<b>[Enter]</b> the prediction  <b>[S]</b> skip  <b>[Ctrl+Z]</b> undo  "
            "<b>[Ctrl+R]</b> stop reviewing"
        )
        self.bar.show()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """While reviewing, the table's keys decide; other keys and modifiers pass on."""
        if self.queue is None or not isinstance(event, QKeyEvent):
            return False
        if event.type() != QEvent.Type.KeyPress:
            return False
        if event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier:
            return False
        key = event.key()
        digit = key - Qt.Key.Key_0.value
        if 0 <= digit <= 9:
            label = self.keys.get(str(digit))
            if label is not None:
                self.decide(label)
            return True
        if key in ACCEPT_KEYS:
            self.accept_prediction()
            return True
        if key in SKIP_KEYS:
            self.decide(None)
            return True
        return False
