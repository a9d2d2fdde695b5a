from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QRect
from PySide6.QtWidgets import QApplication, QMessageBox

from fmstudio.ui.main_window import MainWindow


def _window(qtbot) -> MainWindow:
    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(window.device_known, timeout=30_000)
    return window


def test_five_tabs_and_device_in_status_bar(qtbot) -> None:
    window = _window(qtbot)
    titles = [window.tab_widget.tabText(i) for i in range(window.tab_widget.count())]
    assert titles == ["Text", "Image", "Speech", "Detect", "Sound"]
    assert window.device_label.text().startswith("Device: ")
    assert "CPU" in window.device_label.text() or "cuda" in window.device_label.text().lower()
    window.close()


def test_about_names_versions_and_device(qtbot) -> None:
    import importlib.metadata

    window = _window(qtbot)
    dialog = window.show_about()
    text = dialog.label.text()
    for name in ("fmstudio", "torch", "transformers", "Qt", "Device"):
        assert name in text
    assert importlib.metadata.version("torch") in text
    assert window.device_text in text
    dialog.close()
    window.close()


def test_model_library_lists_catalogue(qtbot) -> None:
    window = _window(qtbot)
    dialog = window.show_model_library()
    names = {dialog.table.item(r, 0).text() for r in range(dialog.table.rowCount())}
    assert {"efficientnet_lite0", "all-MiniLM-L6-v2", "whisper-tiny.en"} <= names
    dialog.close()
    window.close()


def test_geometry_and_last_tab_are_remembered(qtbot) -> None:
    window = _window(qtbot)
    window.setGeometry(QRect(2, 30, 791, 611))
    window.show_tab("speech")
    window.close()

    again = _window(qtbot)
    assert again.current_key() == "speech"
    assert (again.width(), again.height()) == (791, 611)
    again.close()


def test_uncaught_exception_shows_dialog_and_app_lives(qtbot) -> None:
    import sys

    from fmstudio.ui.app import install_exception_hook

    window = _window(qtbot)
    old_hook = sys.excepthook
    install_exception_hook()
    try:
        try:
            raise ValueError("surprise")
        except ValueError as exc:
            sys.excepthook(type(exc), exc, exc.__traceback__)
    finally:
        sys.excepthook = old_hook
    boxes = [w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox)]
    assert boxes, "no error dialog shown"
    box = boxes[0]
    assert "surprise" in box.text()
    assert "fmstudio.log" in box.informativeText()
    box.close()
    assert window.isVisible()
    window.close()


def test_garbage_is_collected_on_the_gui_thread_only(qapp) -> None:
    import gc

    from fmstudio.ui.app import create_app

    try:
        app = create_app()
        assert app is qapp and not gc.isenabled()
        guard = app._fm_gc
        assert guard.timer.isActive()
        for _ in range(guard.threshold[0] + 10):  # cycles only the collector can free
            cycle: list[object] = []
            cycle.append(cycle)
        before = gc.get_count()[0]
        guard.check()
        assert gc.get_count()[0] < before
    finally:
        gc.enable()
        qapp._fm_gc.timer.stop()
        del qapp._fm_gc


def test_models_menu_opens_folders(qtbot, fm_home, monkeypatch) -> None:
    from PySide6.QtGui import QDesktopServices

    opened: list[str] = []
    monkeypatch.setattr(
        QDesktopServices, "openUrl", lambda url: opened.append(url.toLocalFile()) or True
    )
    window = _window(qtbot)
    menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&Models")
    for action in menu.actions():
        if "folder" in action.text():
            action.trigger()
    assert [Path(p).name for p in opened] == ["models", "log"]
    assert all(Path(p).is_dir() and Path(p).is_relative_to(fm_home) for p in opened)
    window.close()


def test_status_bar_keeps_no_loading_line_after_a_job(qtbot) -> None:
    window = _window(qtbot)
    tab = window.tabs_by_key["text"]
    window.show_tab("text")
    tab.controls.labels.setText("weather, music")
    tab.controls.paste_box.setPlainText("Heavy rain tonight.")
    messages: list[str] = []
    tab.status_message.connect(messages.append)
    tab.controls.classify_text_button.click()
    qtbot.waitUntil(lambda: tab.table.model.rowCount() == 1 and not tab.is_busy(), timeout=60_000)
    assert any(m.startswith("Loading") for m in messages)
    assert window.statusBar().currentMessage() == ""
    window.close()


def test_status_bar_shows_how_the_last_job_computed(qtbot, photo_like_image: Path) -> None:
    window = _window(qtbot)
    assert window.runtime_label.text() == ""
    tab = window.tabs_by_key["image"]
    window.show_tab("image")
    tab.add_paths([str(photo_like_image)])
    qtbot.waitUntil(lambda: tab.table.model.rowCount() == 1 and not tab.is_busy(), timeout=60_000)
    assert window.runtime_label.text() == "Running on ONNX Runtime on CPU"
    assert "same answers as plain PyTorch" in window.runtime_label.toolTip()
    # Said once, beside the device: not in the tab's status line or its summary as well
    assert "Running on" not in tab.status.text()
    window.show_tab("speech")  # its jobs have said nothing: the image tab's path is not its
    assert window.runtime_label.text() == ""
    window.show_tab("image")
    assert window.runtime_label.text() == "Running on ONNX Runtime on CPU"
    window.close()


def test_closing_cancels_every_job_at_once_and_says_so(qtbot) -> None:
    import time

    from fmstudio.core.events import CancelToken, Progress

    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(window.device_known, timeout=30_000)
    tokens: dict[str, CancelToken] = {}
    saw_other_cancelled: dict[str, bool] = {}

    def slow_to_stop(name: str, other: str):
        def factory(token: CancelToken):
            tokens[name] = token

            def job():
                yield Progress(0.0)
                while not token.cancelled:  # one long step, like a Whisper window
                    time.sleep(0.01)
                saw_other_cancelled[name] = tokens[other].cancelled
                time.sleep(0.3)  # the step takes a while to end
                token.raise_if_cancelled()

            return job()

        return factory

    window.tabs_by_key["text"].jobs.start(slow_to_stop("text", "image"), "Working…")
    window.tabs_by_key["image"].jobs.start(slow_to_stop("image", "text"), "Working…")
    qtbot.waitUntil(lambda: len(tokens) == 2, timeout=5_000)
    shown: list[str] = []
    window.statusBar().messageChanged.connect(shown.append)
    window.close()
    assert saw_other_cancelled == {"text": True, "image": True}, "both asked before either waits"
    assert "Stopping the running jobs…" in shown
    assert not any(tab.is_busy() for tab in window.tabs_by_key.values())


@pytest.mark.usefixtures("hung_sound_system")
def test_closing_never_waits_for_a_hung_sound_system(qtbot) -> None:
    import time

    from fmstudio.ui.tabs.speech.record_panel import RecordState

    window = _window(qtbot)
    record = window.tabs_by_key["speech"].record
    qtbot.waitUntil(lambda: record._probe.is_busy(), timeout=10_000)
    assert record.state is RecordState.PROBING
    start = time.monotonic()
    window.close()
    took = time.monotonic() - start
    assert took < 2, f"closing waited {took:.1f} s for PortAudio"


@pytest.mark.slow
def test_closing_during_a_long_transcription_waits_only_for_the_batch_in_flight(
    qtbot, long_speech: tuple[Path, str]
) -> None:
    """A hang check, not a timing: the batch in flight takes about 2 s on a 2-core CPU
    (benchmarks/close_latency.py); a close used to wait out the whole file or a 30 s timeout."""
    import time

    window = _window(qtbot)
    tab = window.tabs_by_key["speech"]
    logs: list[str] = []
    tab.files.jobs.log.connect(logs.append)
    tab.add_paths([str(long_speech[0])])
    qtbot.waitUntil(lambda: any("in batches" in line for line in logs), timeout=60_000)
    qtbot.wait(500)
    assert tab.is_busy()
    shown: list[str] = []
    window.statusBar().messageChanged.connect(shown.append)
    start = time.monotonic()
    window.close()
    took = time.monotonic() - start
    assert "Stopping the running jobs…" in shown and not tab.is_busy()
    assert took < 8, f"closing took {took:.1f} s"


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="counts open files on Linux")
def test_rounds_of_classification_leak_no_threads_or_files(qtbot, tmp_path: Path) -> None:
    """The short version of benchmarks/soak.py: rounds through the real tabs, cleared between."""
    import os
    import threading

    from PIL import Image

    from fmstudio.ui.tabs.speech.record_panel import RecordState

    window = _window(qtbot)
    # The microphone probe is the window's own start-up job: PortAudio's threads start with it.
    probing = window.tabs_by_key["speech"].record
    qtbot.waitUntil(lambda: probing.state is not RecordState.PROBING, timeout=30_000)
    for i in range(12):
        Image.new("RGB", (48, 48), (i * 20, 40, 200 - i * 10)).save(tmp_path / f"{i}.png")
        (tmp_path / f"{i}.txt").write_text(f"The team won match {i} after extra time.")
    window.tabs_by_key["text"].controls.labels.setText("sports, cooking")
    seen = []
    names = []
    for _ in range(4):
        for key in ("image", "text"):
            tab = window.tabs_by_key[key]
            tab.add_paths([str(tmp_path)])
            qtbot.waitUntil(
                lambda tab=tab: tab.table.model.rowCount() == 12 and not tab.is_busy(),
                timeout=60_000,
            )
            tab.clear()
        # The OS's own count: `threading` also lists a `Dummy-N` entry for each QThread that
        # ran Python (logging does), kept until its thread id is reused, which is no leak.
        seen.append((len(os.listdir("/proc/self/task")), len(os.listdir("/proc/self/fd"))))
        names.append(
            sorted(t.name for t in threading.enumerate() if not t.name.startswith("Dummy"))
        )
    assert seen[-1] == seen[0], f"threads and open files after each round: {seen}; {names}"
    window.close()
