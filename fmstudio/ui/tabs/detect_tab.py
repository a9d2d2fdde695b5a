"""The Detect tab: drop or paste photos, see each with its labelled boxes, move the score
threshold, count the objects per class, export the boxes as CSV, COCO JSON or YOLO labels, fix
the boxes with the mouse and add the images to a dataset, the least sure first."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt, Slot
from PySide6.QtGui import QColor, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSlider,
    QSplitter,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from fmstudio.core.config import Settings
from fmstudio.core.detect.editing import least_sure_first
from fmstudio.core.detect.export import export_detections
from fmstudio.core.detect.formats import CLASSES_FILE
from fmstudio.core.detect.requests import DetectImages
from fmstudio.core.detect.results import Box, Detections
from fmstudio.core.events import Partial
from fmstudio.core.modalities import DETECT
from fmstudio.core.wording import plural
from fmstudio.ui.errors import user_message
from fmstudio.ui.jobs import JobController, lazy_job
from fmstudio.ui.tabs.base import Tab
from fmstudio.ui.tabs.box_labelling import KEYS, BoxLabelling
from fmstudio.ui.tabs.pasting import paste_images
from fmstudio.ui.widgets.box_editor import BoxEditor
from fmstudio.ui.widgets.controls import device_combo
from fmstudio.ui.widgets.drop_area import DropArea
from fmstudio.ui.widgets.job_status import JobStatus
from fmstudio.ui.widgets.model_picker import ModelPicker
from fmstudio.ui.widgets.shortcuts import Keys, add_shortcut

HINT = "Drop photos or folders here, use Add images… (Ctrl+O), or paste an image (Ctrl+V)."
EXPORT_FILTERS = "CSV, a row per box (*.csv);;COCO JSON (*.json);;YOLO labels (classes.txt)"


class DetectTab(Tab):
    def __init__(self, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.settings = settings
        self.modality = DETECT
        self.results: list[Detections] = []
        self._pending: list[str] = []
        self._held: list[str] = []
        self.jobs = JobController(self)
        self.status = JobStatus(self.jobs)
        self.jobs.partial.connect(self._add_results)
        self.relay_job_lines(self.jobs)
        self.jobs.runtime.connect(self.runtime_message)
        self.jobs.busy_changed.connect(self._busy_changed)
        self.model_picker = ModelPicker(DETECT.task, settings.model(DETECT.task))
        self.model_picker.currentIndexChanged.connect(self._model_changed)
        self.device = device_combo(settings)
        self.labelling = BoxLabelling(settings, self.results, self.min_score, self)
        self.labelling.said.connect(self.status.say)
        self.labelling.changed.connect(self._result_changed)
        self._make_threshold()
        self._make_views()
        self._lay_out()
        self._add_shortcuts()
        self.status.say(f"Ready: {self.model_picker.model_name() or DETECT.default_model}.")

    def _make_threshold(self) -> None:
        self.threshold = QSlider(Qt.Orientation.Horizontal)
        self.threshold.setRange(5, 95)
        self.threshold.setValue(round(self.settings.min_score * 100))
        self.threshold.setToolTip(
            "The lowest score a box may have to be shown, counted and exported "
            "(Ctrl+Up / Ctrl+Down)"
        )
        self.threshold_label = QLabel()
        self.threshold_label.setMinimumWidth(36)
        self.threshold.valueChanged.connect(self._threshold_changed)
        self._threshold_changed()

    def _make_views(self) -> None:
        self.images = QListWidget()
        self.images.setToolTip("Each image and how many objects it holds above the threshold")
        self.images.currentRowChanged.connect(self._show_current)
        self.images.setMinimumWidth(190)
        self.images.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.view = BoxEditor()
        self.view.message(HINT)
        self.view.setToolTip(
            "Drag on the image to draw a box, drag a box to move it, its edge or corner to "
            "resize it; 1-9 name the selected box, Delete removes it, Ctrl+Z undoes"
        )
        self.view.edited.connect(self._boxes_edited)
        self.labelling.box_class.currentTextChanged.connect(self._class_chosen)
        self._class_chosen()
        self.objects = QTreeWidget()
        self.objects.setHeaderLabels(["Class", "Objects"])
        self.objects.setToolTip("Objects per class above the threshold")
        self.objects.setMinimumWidth(190)
        self.open_button = QPushButton("Add images…")
        self.open_button.setToolTip("Choose images (Ctrl+O) or a folder (Ctrl+Shift+O)")
        self.open_button.clicked.connect(self.open_files)
        self.export_button = QPushButton("Export…")
        self.export_button.setToolTip("Save the boxes as CSV, COCO JSON or YOLO labels (Ctrl+S)")
        self.export_button.clicked.connect(self.export_dialog)
        self.add_button = QPushButton("Add to dataset…")
        self.add_button.setToolTip(
            "Copy the selected images into a dataset folder with the boxes shown (YOLO labels); "
            "Enter adds the image shown and moves on, Ctrl+Z takes the last addition back"
        )
        self.add_button.clicked.connect(lambda: self.add_to_dataset(self._selected()))
        self.review_button = QPushButton("Review least sure")
        self.review_button.setToolTip(
            "Put the images whose boxes the detector is least sure of first and show the first "
            "one not in the dataset yet: fix its boxes, Enter adds it and shows the next (Ctrl+R)"
        )
        self.review_button.clicked.connect(self.review_least_sure)
        self.clear_button = QPushButton("Clear")
        self.clear_button.setToolTip("Remove all results")
        self.clear_button.clicked.connect(self.clear)
        self.drop_area = DropArea()
        self.drop_area.paths_dropped.connect(self.add_paths)

    def _lay_out(self) -> None:
        top = QHBoxLayout()
        row: list[tuple[QWidget, int]] = [
            (self.open_button, 0), (QLabel("Model:"), 0), (self.model_picker, 1),
            (QLabel("Device:"), 0), (self.device, 0), (QLabel("Min score:"), 0),
            (self.threshold, 1), (self.threshold_label, 0), (self.export_button, 0),
            (self.clear_button, 0),
        ]  # fmt: skip
        for widget, stretch in row:
            top.addWidget(widget, stretch)
        self.panes = splitter = QSplitter()
        panes: list[tuple[QWidget, int]] = [(self.images, 1), (self.view, 4), (self.objects, 1)]
        for widget, stretch in panes:
            splitter.addWidget(widget)
            splitter.setStretchFactor(splitter.count() - 1, stretch)
        QVBoxLayout(self.drop_area).addWidget(splitter)
        below = QHBoxLayout()
        for widget, stretch in [
            (self.add_button, 0), (self.review_button, 0), (self.labelling.dataset_label, 1),
            (QLabel("Class:"), 0), (self.labelling.box_class, 0), (self.labelling.keys, 0),
        ]:  # fmt: skip
            below.addWidget(widget, stretch)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(below)
        layout.addWidget(self.drop_area, 1)
        layout.addWidget(self.status)

    def _add_shortcuts(self) -> None:
        add_shortcut(self, "Export results", QKeySequence.StandardKey.Save, self.export_dialog)
        add_shortcut(self, "Paste image", QKeySequence.StandardKey.Paste, self.paste)
        add_shortcut(self, "Raise the threshold", "Ctrl+Up", lambda: self._nudge(5))
        add_shortcut(self, "Lower the threshold", "Ctrl+Down", lambda: self._nudge(-5))
        add_shortcut(self, "Review least sure", "Ctrl+R", self.review_least_sure)
        add_shortcut(self, "Undo", QKeySequence.StandardKey.Undo, self.labelling.undo)
        add_shortcut(self, "Redo", QKeySequence.StandardKey.Redo, self.labelling.redo)
        # on the panes only: Enter in the model box picks a model, digits type a class name
        on_panes: list[tuple[str, Keys, Callable[[], None]]] = [
            ("Add the image shown to the dataset", "Return", self.accept_current),
            ("Remove the selected box", QKeySequence.StandardKey.Delete, self.delete_box),
            *[
                (f"Class {n} for the selected box", str(n), lambda *_, n=n: self.name_box(n))
                for n in range(1, KEYS + 1)
            ],
        ]
        for title, keys, slot in on_panes:
            action = add_shortcut(self.panes, title, keys, slot)
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)

    def min_score(self) -> float:
        return self.threshold.value() / 100

    def device_choice(self) -> str:
        return self.device.currentText()

    def _nudge(self, step: int) -> None:
        self.threshold.setValue(self.threshold.value() + step)

    @Slot()
    def _threshold_changed(self) -> None:
        self.threshold_label.setText(f"{self.min_score():.2f}")
        self.settings.min_score = self.min_score()
        if hasattr(self, "images"):
            self._refresh()

    @Slot()
    def _model_changed(self) -> None:
        if self._held:  # files that waited for a model that loads: try this one
            self._pending, self._held = self._held + self._pending, []
            self.start_pending()
        elif not self.jobs.is_busy():
            self.status.say(f"Ready: {self.model_picker.model_name() or DETECT.default_model}.")
        self.preload()

    @Slot()
    def paste(self) -> None:
        pasted = paste_images()
        if isinstance(pasted, str):
            self.status.say(pasted)
        else:
            self.add_paths(pasted[0])

    @Slot(list)
    def add_paths(self, paths: list[str]) -> None:
        """Detect in these files and folders now, or after the running job."""
        self._pending.extend(str(p) for p in paths)
        self.start_pending()

    def has_pending(self) -> bool:
        return bool(self._pending)

    def is_busy(self) -> bool:
        return self.jobs.is_busy()

    def start_pending(self) -> None:
        if self.jobs.is_busy() or not self._pending:
            return
        model = self.model_picker.model_name()
        self.settings.remember_model(DETECT.task, model)
        self.settings.device = self.device_choice()
        running, self._pending = self._pending, []
        request = DetectImages(tuple(running), model, device=self.device_choice())
        self.jobs.start(
            lazy_job(DETECT.run, request),
            f"Detecting with {model or DETECT.default_model}…",
            on_done=self._summarise,
            on_failed=lambda exc: self._hold(running, exc),
        )

    def _hold(self, files: list[str], exc: BaseException) -> None:
        """The model would not load: the files wait for another model instead of vanishing."""
        self._held += files
        waiting = DETECT.count(len(self._held))
        self.status.say(f"{user_message(exc)} Waiting for a model that loads: {waiting}.")

    @Slot(bool)
    def _busy_changed(self, busy: bool) -> None:
        if not busy:
            self.status_message.emit("")
            self.start_pending()

    @Slot(object)
    def _add_results(self, event: Partial[Detections]) -> None:
        first = len(self.results)
        for result in event.items:
            self.results.append(result)
            self.images.addItem(self._item(result))
        self.labelling.refresh_classes()
        if self.images.currentRow() < 0:
            self.images.setCurrentRow(first)
        else:  # the totals grow
            self._show_counts(self.results[self.images.currentRow()])

    def _item(self, result: Detections) -> QListWidgetItem:
        name = Path(result.path).name
        if not result.ok:
            item = QListWidgetItem(f"{name}: cannot be read")
            item.setForeground(QColor("#c0392b"))
            item.setToolTip(f"{result.path}\n{result.error}")
            return item
        item = QListWidgetItem(self._counted(result))
        item.setToolTip(result.path)
        return item

    def _counted(self, result: Detections) -> str:
        """A readable image's row: its name and its objects above the threshold, ticked once
        it is in the dataset."""
        objects = plural(len(result.above(self.min_score())), "object")
        tick = "✓ " if self.labelling.is_added(result) else ""
        return f"{tick}{Path(result.path).name} ({objects})"

    def _summarise(self, result: list[Detections], elapsed_s: float) -> None:
        failed = sum(not r.ok for r in result)
        good = len(result) - failed
        objects = sum(len(r.above(self.min_score())) for r in result)
        text = f"{DETECT.count(good)} read in {elapsed_s:.1f} s, {plural(objects, 'object')}"
        text += f"; {failed} could not be read (in red)." if failed else "."
        self.status.say(self.status.with_notes(text))

    def _labels(self) -> list[str]:
        """The classes listed under Class (a list that only grows), then any other seen in
        this run: a class keeps its colour, through a review's reordering too."""
        seen = [b.label for r in self.results for b in r.boxes]
        return list(dict.fromkeys([*self.labelling.classes(), *seen]))

    def _current(self) -> Detections | None:
        row = self.images.currentRow()
        return self.results[row] if 0 <= row < len(self.results) else None

    @Slot(int)
    def _show_current(self, row: int) -> None:
        if not 0 <= row < len(self.results):
            self.view.message(HINT)
            self._show_counts(None)
            return
        result = self.results[row]
        if not result.ok:
            self.view.message(f"{Path(result.path).name}: {result.error}")
        else:
            self.view.show_image(result.path, result.above(self.min_score()), self._labels())
        self._show_counts(result)

    def _show_counts(self, result: Detections | None) -> None:
        self.objects.clear()
        everything: Counter[str] = Counter()
        for r in self.results:
            everything += r.counts(self.min_score())
        sections = [("This image", result.counts(self.min_score()) if result else Counter())]
        readable = sum(r.ok for r in self.results)
        sections.append((f"All {DETECT.count(readable)}", everything))
        for title, counts in sections:
            top = QTreeWidgetItem([title, str(sum(counts.values()))])
            for label, n in counts.most_common():
                top.addChild(QTreeWidgetItem([label, str(n)]))
            self.objects.addTopLevelItem(top)
            top.setExpanded(True)
        self.objects.resizeColumnToContents(0)

    def _refresh(self) -> None:
        """The threshold moved or boxes changed: the list's counts, the boxes shown (on the
        image already shown) and the totals follow."""
        for row, each in enumerate(self.results):
            item = self.images.item(row)
            if each.ok and item is not None:
                item.setText(self._counted(each))
        result = self._current()
        if result is not None and result.ok:
            self.view.show_boxes(result.above(self.min_score()), self._labels())
        self._show_counts(result)
        self.labelling.refresh_classes()

    @Slot(int)
    def _result_changed(self, index: int) -> None:
        """An edit or addition (or its undoing) changed result `index`: show it."""
        if index != self.images.currentRow():
            self.images.setCurrentRow(index)
        self._refresh()

    @Slot(list, str)
    def _boxes_edited(self, boxes: list[Box], what: str) -> None:
        row = self.images.currentRow()
        if 0 <= row < len(self.results):
            self.labelling.replace(row, boxes, what)

    @Slot()
    def _class_chosen(self) -> None:
        self.view.new_label = self.labelling.new_label()

    def name_box(self, number: int) -> None:
        """Key `number`: the selected box (else the next drawn) gets that class."""
        label = self.labelling.class_of_key(number)
        if label is None:
            self.status.say(f"No class {number} yet: type its name under Class.")
            return
        self.labelling.box_class.setCurrentText(label)
        if not self.view.relabel_selected(label):
            self.status.say(f"The boxes you draw now are {label}.")

    def delete_box(self) -> None:
        if not self.view.delete_selected():
            self.status.say("Click a box first to remove it.")

    @Slot()
    def export_dialog(self) -> None:
        if not self.results:
            self.status.say("Nothing to export yet.")
            return
        start = self.settings.export_start("detections.csv")
        target, chosen = QFileDialog.getSaveFileName(self, "Export boxes", start, EXPORT_FILTERS)
        if not target:
            return
        if chosen.startswith("YOLO"):
            target = str(Path(target).parent / CLASSES_FILE)
        self.settings.export_folder = str(Path(target).parent)
        self.export_to(Path(target))

    def export_to(self, target: Path) -> None:
        try:
            said = export_detections(self.results, self.min_score(), target)
        except OSError as exc:
            self.status.say(f"Could not export to {target}: {exc.strerror or exc}")
            return
        self.status.say(f"Exported {said}.")

    def _selected(self) -> list[Detections]:
        rows = sorted({i.row() for i in self.images.selectedIndexes()})
        return [self.results[r] for r in rows if r < len(self.results)]

    def add_to_dataset(self, results: list[Detections]) -> bool:
        """The images with the boxes shown become training examples; what it did, said."""
        return self.labelling.add(results)

    @Slot()
    def accept_current(self) -> None:
        """Enter: the image shown goes into the dataset with its boxes; the next image not in
        the dataset yet shows."""
        row = self.images.currentRow()
        if 0 <= row < len(self.results) and self.add_to_dataset([self.results[row]]):
            following = self.labelling.next_row(row)
            if following is None:
                self.status.say(self.status.text() + " Every image is in the dataset now.")
            else:
                self.images.setCurrentRow(following)

    @Slot()
    def review_least_sure(self) -> None:
        """The list, least sure first (by the threshold now); the first not added shows."""
        if not any(r.ok for r in self.results):
            self.status.say("Nothing to review yet: add some images first.")
            return
        order = least_sure_first(self.results, self.min_score())
        self.results[:] = [self.results[i] for i in order]
        self.images.blockSignals(True)
        self.images.clear()
        for result in self.results:
            self.images.addItem(self._item(result))
        self.images.blockSignals(False)
        first = self.labelling.next_row(len(self.results) - 1)
        self.images.setCurrentRow(-1)
        self.images.setCurrentRow(0 if first is None else first)
        self.view.setFocus()
        self.status.say(
            "Least sure first: fix the boxes with the mouse (1-9 name one, Delete removes it), "
            "Enter adds the image and shows the next."
        )

    @Slot()
    def clear(self) -> None:
        self.labelling.forget()
        self.results.clear()
        self.images.clear()
        self.view.message(HINT)
        self._show_counts(None)

    def shutdown(self, timeout_ms: int = 30_000) -> None:
        self._pending.clear()
        self.jobs.shutdown(timeout_ms)
