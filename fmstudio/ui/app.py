"""QApplication set-up: logging, the exception hook, the main window, screenshots."""

from __future__ import annotations

import logging
import os
import sys
import threading
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

from fmstudio import __version__
from fmstudio.core.logs import setup_logging

if TYPE_CHECKING:
    from PySide6.QtCore import QObject
    from PySide6.QtWidgets import QApplication

log = logging.getLogger(__name__)
RESOURCES = Path(__file__).resolve().parent.parent / "resources"


def _needs_offscreen() -> bool:
    if os.environ.get("QT_QPA_PLATFORM"):
        return False
    return sys.platform.startswith("linux") and not (
        os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
    )


def install_exception_hook() -> None:
    """Uncaught exceptions are logged and shown in a dialog; the app keeps running."""
    from PySide6.QtCore import QThread
    from PySide6.QtWidgets import QApplication

    from fmstudio.ui.errors import show_error_dialog

    def hook(kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        if issubclass(kind, KeyboardInterrupt):
            QApplication.quit()
            return
        log.error("uncaught exception", exc_info=(kind, exc, tb))
        app = QApplication.instance()
        if app is not None and QThread.currentThread() is app.thread():
            show_error_dialog(QApplication.activeWindow(), exc.with_traceback(tb))
        else:
            sys.__excepthook__(kind, exc, tb)

    sys.excepthook = hook
    threading.excepthook = lambda args: log.error(
        "uncaught exception in thread %s",
        args.thread,
        exc_info=(args.exc_type, args.exc_value, args.exc_traceback),  # type: ignore[arg-type]
    )


class _GuiThreadGarbageCollector:
    """Python's automatic GC may run on any thread, and collecting a Qt wrapper on a worker
    thread destroys a Qt object from the wrong thread (seen as a segfault). So automatic GC
    is off and a GUI-thread timer collects instead, generation by generation, as pyqtgraph's
    GarbageCollector does."""

    def __init__(self, app: QObject, interval_ms: int = 1000) -> None:
        import gc

        from PySide6.QtCore import QTimer

        self._gc = gc
        self.threshold = gc.get_threshold()
        gc.disable()
        self.timer = QTimer(app)
        self.timer.timeout.connect(self.check)
        self.timer.start(interval_ms)

    def check(self) -> None:
        counts = self._gc.get_count()
        for generation in (2, 1, 0):
            if counts[generation] > self.threshold[generation]:
                self._gc.collect(generation)
                break


def create_app(argv: list[str] | None = None) -> QApplication:
    """The QApplication, created once, with name, icon and the exception hook."""
    from PySide6.QtGui import QIcon
    from PySide6.QtWidgets import QApplication

    existing = QApplication.instance()
    app = (
        existing
        if isinstance(existing, QApplication)
        else QApplication(argv if argv is not None else [sys.argv[0]])
    )
    app.setApplicationName("fmstudio")
    app.setApplicationDisplayName("fmstudio")
    app.setApplicationVersion(__version__)
    app.setOrganizationName("fmstudio")
    app.setDesktopFileName("io.github.fmstudio")
    app.setWindowIcon(QIcon(str(RESOURCES / "fmstudio.svg")))
    install_exception_hook()
    if not hasattr(app, "_fm_gc"):
        app._fm_gc = _GuiThreadGarbageCollector(app)  # type: ignore[attr-defined]
    return app


def run_gui(screenshot: str | None = None, tab: str | None = None) -> int:
    """Open the main window; with `screenshot`, render it to a PNG and exit."""
    setup_logging()
    if screenshot and _needs_offscreen():
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    app = create_app()
    from fmstudio.ui.main_window import MainWindow

    window = MainWindow()
    if tab:
        window.show_tab(tab)
    window.show()
    if screenshot:
        code = window.save_screenshot(Path(screenshot))
        window.shutdown()
    else:
        code = int(app.exec())
    return _leave(code)


def _leave(code: int) -> int:
    """`code`, or the process ends now where a model still loads on a background thread:
    finalizers racing it in C++ abort the process (see `events.background_settled`)."""
    from fmstudio.core.events import background_settled

    if background_settled(timeout=3.0):
        return code
    log.info("leaving while a model still loads in the background")
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def main() -> int:
    """Entry point of the `fmstudio-gui` launcher."""
    return run_gui()
