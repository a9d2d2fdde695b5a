"""The Image tab: drop images or folders, see what the model thinks they are."""

from __future__ import annotations

import time
from pathlib import Path

from PySide6.QtCore import Qt, Slot
from PySide6.QtGui import QGuiApplication, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from fmstudio.core import paths
from fmstudio.core.atomic import atomic_target
from fmstudio.core.config import Settings
from fmstudio.core.data.images import IMAGE_SUFFIXES
from fmstudio.core.devices import DEVICE_CHOICES
from fmstudio.core.events import Partial
from fmstudio.core.results import ItemResult, export
from fmstudio.ui.tabs.base import TaskTab
from fmstudio.ui.widgets.drop_area import DropArea
from fmstudio.ui.widgets.model_picker import ModelPicker
from fmstudio.ui.widgets.results_table import ResultsTable
from fmstudio.ui.widgets.score_bars import ScoreBars

THUMBNAIL = 64
IMAGE_FILTER = "Images (" + " ".join(f"*{s}" for s in sorted(IMAGE_SUFFIXES)) + ");;All files (*)"


class ImageTab(TaskTab):
    title = "Image"

    def __init__(self, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.settings = settings
        self._pending: list[str] = []

        self.open_button = QPushButton("Add images…")
        self.open_button.setToolTip("Choose image files (Ctrl+O); or drop files and folders below")
        self.open_button.clicked.connect(self.open_files)
        self.model_picker = ModelPicker("image", settings.image_model)
        self.top_k = QSpinBox()
        self.top_k.setRange(1, 20)
        self.top_k.setValue(5)
        self.top_k.setToolTip("How many labels to rank for each image")
        self.device = QComboBox()
        self.device.addItems(DEVICE_CHOICES)
        self.device.setCurrentText(settings.device if settings.device in DEVICE_CHOICES else "auto")
        self.device.setToolTip(
            "Where the model runs: auto picks CUDA, then Apple MPS, then the CPU"
        )
        self.export_button = QPushButton("Export…")
        self.export_button.setToolTip("Save the results as CSV or JSON (Ctrl+E)")
        self.export_button.setShortcut("Ctrl+E")
        self.export_button.clicked.connect(self.export_dialog)
        self.clear_button = QPushButton("Clear")
        self.clear_button.setToolTip("Remove all results")
        self.clear_button.clicked.connect(self.clear)

        controls = QHBoxLayout()
        controls.addWidget(self.open_button)
        controls.addWidget(QLabel("Model:"))
        controls.addWidget(self.model_picker, 1)
        controls.addWidget(QLabel("Top-k:"))
        controls.addWidget(self.top_k)
        controls.addWidget(QLabel("Device:"))
        controls.addWidget(self.device)
        controls.addWidget(self.export_button)
        controls.addWidget(self.clear_button)

        self.table = ResultsTable("Image", "Folder / error")
        self.table.set_row_height(THUMBNAIL + 4)
        self.table.result_selected.connect(self._show_ranking)
        self.bars = ScoreBars()
        self.hint = QLabel(
            "Drop images or folders here, use Add images… (Ctrl+O), or paste an image (Ctrl+V)."
        )
        self.hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        splitter = QSplitter()
        splitter.addWidget(self.table)
        splitter.addWidget(self.bars)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)
        self.drop_area = DropArea()
        self.drop_area.paths_dropped.connect(self.add_paths)
        drop_layout = QVBoxLayout(self.drop_area)
        drop_layout.addWidget(self.hint)
        drop_layout.addWidget(splitter, 1)

        bottom = QHBoxLayout()
        bottom.addWidget(self.progress, 1)
        bottom.addWidget(self.stop_button)
        layout = QVBoxLayout(self)
        layout.addLayout(controls)
        layout.addWidget(self.drop_area, 1)
        layout.addLayout(bottom)
        layout.addWidget(self.status)
        self.status.setText("Ready. The bundled EfficientNet-Lite0 knows 1000 ImageNet classes.")

        paste = QShortcut(QKeySequence.StandardKey.Paste, self)
        paste.activated.connect(self.paste)

    @Slot(list)
    def add_paths(self, new_paths: list[str]) -> None:
        """Classify these files and folders now, or after the running job."""
        self._pending.extend(str(p) for p in new_paths)
        if not self.is_busy():
            self._start_pending()

    def _start_pending(self) -> None:
        if not self._pending:
            return
        batch, self._pending = self._pending, []
        self.hint.hide()
        model = self.model_picker.model_name()
        self.settings.image_model = model
        self.settings.device = self.device.currentText()
        top_k, device = self.top_k.value(), self.device.currentText()
        from fmstudio.core.image.classify import classify_images  # imports torch, on first use

        self.start_job(
            lambda token: classify_images(
                batch, model, top_k, 16, device, token, thumbnail_size=THUMBNAIL
            ),
            f"Classifying with {model}…",
        )

    def on_partial(self, event: Partial) -> None:
        results: list[ItemResult] = list(event.items)
        self.table.add_results(results, [str(Path(r.path).parent) for r in results])
        if self.table.view.currentIndex().row() < 0 and self.table.visible_rows():
            self.table.select_row(0)

    def on_done(self, result: object, elapsed_s: float) -> None:
        items = result if isinstance(result, list) else []
        failed = sum(not r.ok for r in items)
        rate = len(items) / elapsed_s if elapsed_s > 0 else 0.0
        text = f"{len(items) - failed} images classified in {elapsed_s:.1f} s ({rate:.1f}/s)"
        self.status.setText(
            text + (f"; {failed} could not be read (see the red rows)." if failed else ".")
        )

    def _on_finished(self) -> None:
        super()._on_finished()
        if self._pending:
            self._start_pending()

    @Slot(object)
    def _show_ranking(self, result: ItemResult) -> None:
        name = Path(result.path).name
        if result.ok:
            self.bars.show_predictions(name, result.predictions)
        else:
            self.bars.clear(f"{name}: {result.error}")

    @Slot()
    def open_files(self) -> None:
        files, _ = QFileDialog.getOpenFileNames(
            self, "Add images", self.settings.last_folder or str(Path.home()), IMAGE_FILTER
        )
        if files:
            self.settings.last_folder = str(Path(files[0]).parent)
            self.add_paths(files)

    @Slot()
    def paste(self) -> None:
        """Paste file URLs or image data from the clipboard; pasted pixels are saved first."""
        mime = QGuiApplication.clipboard().mimeData()
        if mime is None:
            return
        if mime.hasUrls():
            local = [u.toLocalFile() for u in mime.urls() if u.isLocalFile()]
            if local:
                self.add_paths(local)
                return
        image = QGuiApplication.clipboard().image()
        if image.isNull():
            self.status.setText("The clipboard holds no image.")
            return
        target = paths.ensure(paths.data_dir() / "pasted") / time.strftime(
            "pasted-%Y%m%d-%H%M%S.png"
        )
        with atomic_target(target) as tmp:
            if not image.save(str(tmp), "PNG"):
                self.status.setText("Could not save the pasted image.")
                return
        self.add_paths([str(target)])

    @Slot()
    def export_dialog(self) -> None:
        if not self.table.results():
            self.status.setText("Nothing to export yet.")
            return
        start = str(Path(self.settings.last_folder or Path.home()) / "image-results.csv")
        target, _ = QFileDialog.getSaveFileName(
            self, "Export results", start, "CSV (*.csv);;JSON (*.json)"
        )
        if target:
            self.export_to(Path(target))

    def export_to(self, target: Path) -> None:
        try:
            export(self.table.results(), target)
        except OSError as exc:
            self.status.setText(f"Could not export to {target}: {exc.strerror or exc}")
            return
        self.status.setText(f"Exported {len(self.table.results())} rows to {target}.")

    @Slot()
    def clear(self) -> None:
        self.table.clear()
        self.bars.clear()
        self.hint.show()
