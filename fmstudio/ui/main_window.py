"""The main window: composes the tabs, menus and status bar, and nothing more."""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QByteArray, QEventLoop, QSettings, QThread, QTimer, QUrl, Slot
from PySide6.QtGui import QAction, QCloseEvent, QDesktopServices, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QLabel,
    QMainWindow,
    QMessageBox,
    QTabWidget,
    QWidget,
)

from fmstudio.core import config, paths
from fmstudio.core.atomic import atomic_target
from fmstudio.core.devices import DeviceInfo
from fmstudio.core.errors import FmError
from fmstudio.core.modalities import import_target, modality, tasks, trainable_tasks
from fmstudio.core.paths import log_dir
from fmstudio.ui.dialogs import AboutDialog, ModelLibraryDialog
from fmstudio.ui.jobs import JobController, lazy_job
from fmstudio.ui.tabs.base import Tab
from fmstudio.ui.tabs.classify_tab import ClassifyTab

if TYPE_CHECKING:
    from fmstudio.ui.wizard.wizard import FineTuneWizard

log = logging.getLogger(__name__)
DETECT = "fmstudio.core.devices:detect_job"


def window_settings() -> QSettings:
    """Geometry lives in an INI file beside settings.json, so FMSTUDIO_HOME isolates it too."""
    return QSettings(str(paths.config_dir() / "window.ini"), QSettings.Format.IniFormat)


def build_tabs(settings: config.Settings) -> dict[str, Tab]:
    """One tab per task of the task table that has one, in its order."""
    made: dict[str, Tab] = {}
    for task in (t for t in tasks() if modality(t).tab):
        make: Callable[[config.Settings], Tab] = import_target(modality(task).tab)
        made[task] = make(settings)
    return made


class MainWindow(QMainWindow):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("fmstudio")
        self.settings = config.load()
        self.device_text = "detecting…"
        self.tabs_by_key = build_tabs(self.settings)
        self.tab_widget = QTabWidget()
        self.tab_widget.setDocumentMode(True)
        for key, tab in self.tabs_by_key.items():
            self.tab_widget.addTab(tab, modality(key).title)
            tab.status_message.connect(self._show_status)
            tab.runtime_message.connect(self._show_runtime)
            tab.train_requested.connect(self.train_on)
        self.setCentralWidget(self.tab_widget)
        self.device_label = QLabel(f"Device: {self.device_text}")
        self.device_label.setToolTip("The compute device jobs run on (set per job in each tab)")
        self.runtime_label = QLabel("")
        self.statusBar().addPermanentWidget(self.runtime_label)
        self.statusBar().addPermanentWidget(self.device_label)
        self._build_menus()
        self._restore()
        self.device_jobs = JobController(self)
        self.device_jobs.done.connect(self._on_device)
        self.device_jobs.failed.connect(self._on_device_error)
        self._wizard: FineTuneWizard | None = None
        self._closing = False
        QTimer.singleShot(0, self._detect_device)

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        self.open_action = QAction("&Open…", self)
        self.open_action.setShortcut(QKeySequence.StandardKey.Open)
        self.open_action.setToolTip("Open files for the current tab")
        self.open_action.triggered.connect(self.open_files)
        file_menu.addAction(self.open_action)
        folder_action = QAction("Add &folder…", self)
        folder_action.setShortcut("Ctrl+Shift+O")
        folder_action.setToolTip("Add a whole folder to the current tab")
        folder_action.triggered.connect(self.add_folder)
        file_menu.addAction(folder_action)
        file_menu.addSeparator()
        quit_action = QAction("&Quit", self)
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(self.close)
        file_menu.addAction(quit_action)

        models_menu = bar.addMenu("&Models")
        library_action = QAction("Model &library…", self)
        library_action.setShortcut("Ctrl+L")
        library_action.triggered.connect(self.show_model_library)
        models_menu.addAction(library_action)

        train_action = QAction("&Fine-tune a model…", self)
        train_action.setShortcut("Ctrl+T")
        train_action.setToolTip("Train an image or text classifier on a folder of examples")
        train_action.triggered.connect(self.show_fine_tune)
        models_menu.addAction(train_action)
        evaluate_action = QAction("&Evaluate a model…", self)
        evaluate_action.setShortcut("Ctrl+E")
        evaluate_action.setToolTip("Measure a trained model on another labelled folder")
        evaluate_action.triggered.connect(self.show_evaluate)
        models_menu.addAction(evaluate_action)
        models_menu.addSeparator()
        for title, folder in (
            ("Open &models folder", paths.models_dir),
            ("Open &log folder", log_dir),
        ):
            action = QAction(title, self)
            action.triggered.connect(lambda _=False, f=folder: self.open_folder(f()))
            models_menu.addAction(action)

        help_menu = bar.addMenu("&Help")
        about_action = QAction("&About fmstudio", self)
        about_action.triggered.connect(self.show_about)
        help_menu.addAction(about_action)
        for i, key in enumerate(self.tabs_by_key, start=1):
            action = QAction(self)
            action.setShortcut(f"Ctrl+{i}")
            action.triggered.connect(lambda _=False, k=key: self.show_tab(k))
            self.addAction(action)

    def _restore(self) -> None:
        geometry = window_settings().value("geometry")
        if isinstance(geometry, QByteArray) and not geometry.isEmpty():
            self.restoreGeometry(geometry)
        else:
            self.resize(1100, 720)
        self.show_tab(self.settings.last_tab)

    def current_key(self) -> str:
        return list(self.tabs_by_key)[max(self.tab_widget.currentIndex(), 0)]

    def current_tab(self) -> Tab:
        return self.tabs_by_key[self.current_key()]

    def show_tab(self, key: str) -> None:
        if key in self.tabs_by_key:
            self.tab_widget.setCurrentIndex(list(self.tabs_by_key).index(key))

    @Slot()
    def _detect_device(self) -> None:
        self.device_jobs.start(lazy_job(DETECT, self.settings.device), "Detecting…")

    @Slot(object, float)
    def _on_device(self, info: DeviceInfo, _elapsed: float) -> None:
        self.device_text = info.label()
        self.device_label.setText(f"Device: {self.device_text}")

    @Slot(object)
    def _on_device_error(self, exc: BaseException) -> None:
        self.device_text = f"unavailable ({exc})"
        self.device_label.setText(f"Device: {self.device_text}")

    def device_known(self) -> bool:
        return not self.device_jobs.is_busy() and self.device_text != "detecting…"

    @Slot(str)
    def _show_status(self, message: str) -> None:
        if message:
            self.statusBar().showMessage(message, 5000)
        else:
            self.statusBar().clearMessage()

    @Slot(str)
    def _show_runtime(self, message: str) -> None:
        """`Running on ONNX Runtime on CPU`: the path in short, the reasons in the tooltip."""
        self.runtime_label.setText(message.split(" (")[0])
        self.runtime_label.setToolTip(
            f"{message}.\nHow the last classification computed: the fastest path that gives "
            "the same answers as plain PyTorch on this device. FMSTUDIO_RUNTIME=torch turns "
            "the faster paths off."
        )

    @Slot()
    def add_folder(self) -> None:
        self.current_tab().add_folder()

    @Slot()
    def open_files(self) -> None:
        self.current_tab().open_files()

    def open_folder(self, folder: Path) -> bool:
        """Show a folder in the system's file manager, creating it first."""
        paths.ensure(folder)
        return QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))

    @Slot()
    def show_about(self) -> AboutDialog:
        dialog = AboutDialog(self.device_text, self)
        dialog.show()
        return dialog

    @Slot()
    def show_model_library(self) -> ModelLibraryDialog:
        dialog = ModelLibraryDialog(self)
        dialog.retrain_requested.connect(self.retrain)
        dialog.export_requested.connect(self.export_model)
        dialog.show()
        return dialog

    @Slot(str, str)
    def export_model(self, task: str, model: str) -> QWidget:
        """The export dialog for `model` (from the model library or the wizard's last page)."""
        from fmstudio.ui.widgets.model_export_dialog import ModelExportDialog

        dialog = ModelExportDialog(self.settings, task, model, parent=self)
        dialog.show()
        return dialog

    @Slot(str, str)
    def train_on(self, task: str, folder: str) -> QWidget | None:
        """The fine-tuning wizard on a dataset a tab grew: a retrain of the tab's model when
        that model was trained on this very folder (so the two are compared)."""
        from fmstudio.core.classify.retrain import trained_on

        model = self.tabs_by_key[task].model_picker.model_name()
        trained = trained_on(model, task)
        if trained and Path(trained).resolve() == Path(folder).expanduser().resolve():
            return self.retrain(task, model)
        return self._open_wizard(None, task=task, data=folder)

    @Slot(str, str, str, str, int)
    def label_next(self, task: str, model: str, dataset: str, folder: str, limit: int) -> None:
        """After training: the new model classifies unlabelled files, the least sure are
        reviewed into its dataset."""
        tab = self.tabs_by_key[task]
        if not isinstance(tab, ClassifyTab):
            return
        self.show_tab(task)
        tab.model_picker.refresh(model)
        tab.find_what_to_label(dataset, folder, limit)

    @Slot(str, str)
    def retrain(self, task: str, name: str) -> QWidget | None:
        """The wizard set up as `name` was trained, on its dataset as it is now."""
        from fmstudio.core.classify.retrain import previous_validation, retrain_spec

        try:
            spec = retrain_spec(name, task)
        except FmError as exc:
            QMessageBox.warning(self, "Cannot retrain", str(exc))
            return None
        kept = previous_validation(name, task)
        return self._open_wizard(
            None, task=task, retrain=spec, previous_model=name, keep_validation=kept
        )

    @Slot()
    def show_fine_tune(self) -> QWidget:
        return self._open_wizard(None)

    @Slot()
    def show_evaluate(self) -> QWidget:
        return self._open_wizard(self.tabs_by_key[self._wizard_task()].model_picker.model_name())

    def _wizard_task(self) -> str:
        """The current tab's task where it can be trained, else the first that can."""
        key = self.current_key()
        return key if key in trainable_tasks() else trainable_tasks()[0]

    def _open_wizard(
        self, evaluate_model: str | None, task: str | None = None, **preset: Any
    ) -> QWidget:
        from fmstudio.ui.wizard.wizard import FineTuneWizard  # pyqtgraph loads only now

        if self._wizard is not None and self._wizard.isVisible():
            self._wizard.close()  # one wizard at a time: its jobs stop, its staging goes
        task = task or self._wizard_task()
        wizard = FineTuneWizard(self.settings, task, evaluate_model, self, **preset)
        wizard.model_saved.connect(self._on_model_saved)
        wizard.label_next.connect(self.label_next)
        wizard.export_requested.connect(self.export_model)
        wizard.show()
        self._wizard = wizard
        return wizard

    @Slot(str, str)
    def _on_model_saved(self, task: str, name: str) -> None:
        """A new model appears at once, selected, in its tab's picker."""
        for key, tab in self.tabs_by_key.items():
            tab.model_picker.refresh(name if key == task else "")
        self._show_status(f"Saved {name} to the model library")

    def save_screenshot(self, path: Path, wait_ms: int = 20_000) -> int:
        """Render the window once the device is known and save a PNG atomically."""
        app = QApplication.instance()
        assert app is not None
        waited = 0
        while not self.device_known() and waited < wait_ms:
            app.processEvents()
            QThread.msleep(50)
            waited += 50
        for _ in range(5):
            app.processEvents()
        pixmap = self.grab()
        try:
            with atomic_target(path.expanduser().resolve()) as tmp:
                if not pixmap.save(str(tmp), "PNG"):
                    raise OSError(f"Qt could not write a PNG to {tmp}")
        except OSError as exc:
            log.error("could not write screenshot %s: %s", path, exc)
            print(f"error: could not write {path}: {exc}", file=sys.stderr)
            return 1
        finally:
            self.close()
        return 0

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._closing:
            event.ignore()  # a second click while the jobs stop: the first close goes on
            return
        self._closing = True
        window_settings().setValue("geometry", self.saveGeometry())
        self.settings.last_tab = self.current_key()
        try:
            config.save(self.settings)
        except OSError as exc:
            log.warning("could not save settings: %s", exc)
        self._stop_all_jobs()
        if self._wizard is not None:
            self._wizard.shutdown()
        for tab in self.tabs_by_key.values():
            tab.shutdown()
        self.device_jobs.shutdown()
        super().closeEvent(event)

    def _stop_all_jobs(self, timeout_s: float = 30.0) -> None:
        """Cancel every job of the window at once, then wait for all of them together, the
        window painted and saying so (each job stops at its next check: a step, a file, a
        Whisper window)."""
        controllers = self.findChildren(JobController)
        for jobs in controllers:
            jobs.begin_shutdown()
        if not any(jobs.is_busy() for jobs in controllers):
            return
        self.statusBar().showMessage("Stopping the running jobs…")
        self.tab_widget.setEnabled(False)
        deadline = time.monotonic() + timeout_s
        while any(jobs.is_busy() for jobs in controllers) and time.monotonic() < deadline:
            QApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
            time.sleep(0.01)
