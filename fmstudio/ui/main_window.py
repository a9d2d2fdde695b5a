"""The main window: composes the tabs, the menus (`menus.py`), the status bar and the routes
between tabs and wizard (`workflows.py`), and closes them all together."""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QByteArray, QEventLoop, QSettings, Qt, QThread, QTimer, QUrl, Slot
from PySide6.QtGui import QAction, QCloseEvent, QDesktopServices, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QLabel,
    QMainWindow,
    QTabWidget,
    QWidget,
)

from fmstudio.core import config, paths
from fmstudio.core.atomic import atomic_target
from fmstudio.core.devices import DeviceInfo
from fmstudio.core.events import Runtime
from fmstudio.core.modalities import import_target, modality, tasks
from fmstudio.core.paths import log_dir
from fmstudio.ui.jobs import JobController, lazy_job
from fmstudio.ui.menus import SEPARATOR, Entry, build_menus
from fmstudio.ui.tabs.base import Tab
from fmstudio.ui.widgets.confirm import confirm_losing
from fmstudio.ui.widgets.dialogs import AboutDialog, ModelLibraryDialog
from fmstudio.ui.widgets.shortcuts import WindowKeysFirst
from fmstudio.ui.workflows import Workflows

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
        self.runtimes: dict[str, Runtime] = {}
        """How each tab's last job computed: the label shows the current tab's only."""
        for key, tab in self.tabs_by_key.items():
            self.tab_widget.addTab(tab, modality(key).title)
            tab.status_message.connect(self._show_status)
            tab.runtime_message.connect(lambda event, key=key: self._keep_runtime(key, event))
        self.setCentralWidget(self.tab_widget)
        self.tab_widget.currentChanged.connect(self._show_runtime)
        self.device_label = QLabel(f"Device: {self.device_text}")
        self.device_label.setToolTip("The compute device jobs run on (set per job in each tab)")
        self.runtime_label = QLabel("")
        self.statusBar().addPermanentWidget(self.runtime_label)
        self.statusBar().addPermanentWidget(self.device_label)
        self.workflows = Workflows(
            self, self.settings, self.tabs_by_key, self.current_key, self.show_tab
        )
        self.workflows.status.connect(self._show_status)
        for tab in self.tabs_by_key.values():
            tab.train_requested.connect(self.workflows.train_on)
        self._build_menus()
        app = QApplication.instance()
        if app is not None:  # the window's Ctrl+E works with the focus in a Model box
            app.installEventFilter(WindowKeysFirst(self))
        self._restore()
        self.device_jobs = JobController(self)
        self.device_jobs.done.connect(self._on_device)
        self.device_jobs.failed.connect(self._on_device_error)
        self._closing = False
        QTimer.singleShot(0, self._detect_device)

    def _build_menus(self) -> None:
        actions = build_menus(
            self,
            [
                (
                    "&File",
                    [
                        Entry(
                            "&Open…",
                            self.open_files,
                            QKeySequence.StandardKey.Open,
                            "Open files for the current tab",
                        ),
                        Entry(
                            "Add &folder…",
                            self.add_folder,
                            "Ctrl+Shift+O",
                            "Add a whole folder to the current tab",
                        ),
                        SEPARATOR,
                        Entry("&Quit", self.close, "Ctrl+Q"),
                    ],
                ),
                (
                    "&Models",
                    [
                        Entry("Model &library…", self.show_model_library, "Ctrl+L"),
                        Entry(
                            "&Fine-tune a model…",
                            self.workflows.fine_tune,
                            "Ctrl+T",
                            "Train a model of the current tab's task on a folder of examples",
                        ),
                        Entry(
                            "&Evaluate a model…",
                            self.workflows.evaluate,
                            "Ctrl+E",
                            "Measure a trained model on another labelled folder",
                        ),
                        SEPARATOR,
                        Entry("Open &models folder", lambda: self.open_folder(paths.models_dir())),
                        Entry("Open &log folder", lambda: self.open_folder(log_dir())),
                    ],
                ),
                ("&Help", [Entry("&About fmstudio", self.show_about)]),
            ],
        )
        self.open_action = actions["&Open…"]
        # Quit works from the wizard's window too (it asks before losing a run).
        actions["&Quit"].setShortcutContext(Qt.ShortcutContext.ApplicationShortcut)
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

    def _keep_runtime(self, key: str, event: Runtime) -> None:
        self.runtimes[key] = event
        if key == self.current_key():
            self._show_runtime()

    @Slot()
    def _show_runtime(self) -> None:
        """`Running on ONNX Runtime on CPU` for the tab shown (nothing where its jobs have not
        said): the path in short, the reasons in the tooltip."""
        event = self.runtimes.get(self.current_key())
        self.runtime_label.setText(f"Running on {event.path}" if event else "")
        self.runtime_label.setToolTip(
            f"{event.message}.\nHow this tab's last job computed: the fastest path that gives "
            "the same answers as plain PyTorch on this device. FMSTUDIO_RUNTIME=torch turns "
            "the faster paths off."
            if event
            else ""
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
        dialog.retrain_requested.connect(self.workflows.retrain)
        dialog.export_requested.connect(self.workflows.export_model)
        dialog.library_changed.connect(self._library_changed)
        dialog.show()
        return dialog

    @Slot()
    def _library_changed(self) -> None:
        """A model was renamed or deleted: every picker lists the library again."""
        for tab in self.tabs_by_key.values():
            tab.model_picker.refresh()

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
        unsaved = self.workflows.unsaved_work()
        if unsaved and not confirm_losing(self, unsaved, "Quit"):
            event.ignore()
            return
        self._closing = True
        window_settings().setValue("geometry", self.saveGeometry())
        self.settings.last_tab = self.current_key()
        try:
            config.save(self.settings)
        except OSError as exc:
            log.warning("could not save settings: %s", exc)
        self.shutdown()
        super().closeEvent(event)

    def shutdown(self) -> None:
        """Stop every job and worker thread: Qt aborts the process when a thread it runs
        outlives the application (as a screenshot run's device probe did)."""
        self._stop_all_jobs()
        self.workflows.shutdown()
        for tab in self.tabs_by_key.values():
            tab.shutdown()
        self.device_jobs.shutdown()

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
