from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from tests.cli.runner import fmstudio

pytestmark = pytest.mark.slow  # spawns the CLI

ROOT = Path(__file__).resolve().parents[2]


def test_version() -> None:
    from fmstudio import __version__

    out = fmstudio("--version")
    assert out.returncode == 0
    assert out.stdout.strip() == f"fmstudio {__version__}"


def test_version_and_models_do_not_import_heavy_libraries() -> None:
    code = (
        "import sys\n"
        "from fmstudio.cli import main\n"
        "for args in (['--version'], ['models', '--json']):\n"
        "    try:\n"
        "        main(args)\n"
        "    except SystemExit:\n"
        "        pass\n"
        "names = ('torch', 'transformers', 'timm', 'faster_whisper')\n"
        "heavy = [m for m in names if m in sys.modules]\n"
        "print('HEAVY', heavy, file=sys.stderr)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "HEAVY []" in out.stderr


def test_models_json_lists_a_bundled_model_per_task() -> None:
    out = fmstudio("models", "--json")
    assert out.returncode == 0, out.stderr
    models = json.loads(out.stdout)
    for entry in models:
        assert set(entry) >= {"name", "task", "source", "description", "available_offline"}
        assert entry["task"] in {"text", "image", "speech", "detect", "sound"}
        assert entry["source"] in {"bundled", "library", "hub"}
    bundled = {m["task"]: m for m in models if m["source"] == "bundled"}
    assert set(bundled) == {"text", "image", "speech", "detect", "sound"}
    assert all(m["available_offline"] for m in bundled.values())


def test_devices_json() -> None:
    out = fmstudio("devices", "--json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["auto"] in {d["kind"] for d in data["devices"]}
    assert any(d["kind"] == "cpu" for d in data["devices"])


@pytest.mark.parametrize("tab", ["image", "speech"])
def test_gui_screenshot_writes_png(tmp_path: Path, tab: str) -> None:
    """The Speech tab's run aborted ("terminate called without an active exception"): it
    left while its model loaded on a background thread."""
    target = tmp_path / "shots" / "window.png"
    out = fmstudio(
        "gui", "--screenshot", str(target), "--tab", tab, env={"QT_QPA_PLATFORM": "offscreen"}
    )
    assert out.returncode == 0, out.stderr
    assert "terminate called" not in out.stderr
    data = target.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) > 5000
    from PySide6.QtGui import QImage

    image = QImage(str(target))
    assert image.width() >= 600 and image.height() >= 400


def test_unknown_command_fails_cleanly() -> None:
    out = fmstudio("frobnicate")
    assert out.returncode == 2
    assert "invalid choice" in out.stderr


def test_import_contract_holds() -> None:
    lint = Path(sys.executable).with_name("lint-imports")
    if not lint.exists():
        pytest.fail("import-linter is not installed: run `make setup`")
    out = subprocess.run([str(lint)], capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "3 kept, 0 broken" in out.stdout


HEAVY = ("torch", "torchvision", "transformers", "timm", "faster_whisper", "sounddevice")

WATCH_GUI_THREAD = f"""
import sys, threading

HEAVY = {HEAVY!r}
on_gui_thread = []

class Watch:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in HEAVY and threading.current_thread() is threading.main_thread():
            on_gui_thread.append(name.split(".")[0])
        return None

sys.meta_path.insert(0, Watch())
"""


def _run_window(code: str, tmp_path: Path) -> str:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "FMSTUDIO_HOME": str(tmp_path)}
    out = subprocess.run(
        [sys.executable, "-c", WATCH_GUI_THREAD + code],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    return out.stdout + out.stderr


def test_opening_the_window_imports_no_model_library(tmp_path: Path) -> None:
    """Torch and PortAudio arrive later, on the workers (device detection, microphones). A
    shown tab starts preloading its model on a worker at once, so the window is measured before
    it is shown, and the GUI thread's imports after."""
    code = (
        "from fmstudio.ui.app import create_app\n"
        "from fmstudio.ui.main_window import MainWindow\n"
        "app = create_app(); w = MainWindow()\n"
        "print('HEAVY', [m for m in HEAVY if m in sys.modules])\n"
        "w.show(); app.processEvents()\n"
        "print('GUI THREAD', sorted(set(on_gui_thread)))\n"
        "import os; os._exit(0)\n"
    )
    out = _run_window(code, tmp_path)
    assert "HEAVY []" in out and "GUI THREAD []" in out, out


def test_first_jobs_import_model_libraries_on_the_worker_only(tmp_path: Path) -> None:
    """The first click classifies an image: torch and timm load, but not on the GUI thread."""
    image = tmp_path / "red.png"
    Image.new("RGB", (64, 64), (200, 30, 30)).save(image)
    code = (
        "from fmstudio.ui.app import create_app\n"
        "from fmstudio.ui.main_window import MainWindow\n"
        "from fmstudio.ui.tabs.speech.record_panel import RecordState\n"
        "app = create_app(); w = MainWindow(); w.show()\n"
        f"tab = w.tabs_by_key['image']; tab.add_paths([{str(image)!r}])\n"
        "import time; end = time.monotonic() + 90\n"
        "speech = w.tabs_by_key['speech']\n"
        "while (tab.is_busy() or speech.record.state is RecordState.PROBING) "
        "and time.monotonic() < end:\n"
        "    app.processEvents(); time.sleep(0.02)\n"
        "print('ROWS', tab.table.model.rowCount())\n"
        "print('LOADED', sorted(m for m in HEAVY if m in sys.modules))\n"
        "print('GUI THREAD', sorted(set(on_gui_thread)))\n"
        "w.close(); import os; os._exit(0)\n"
    )
    out = _run_window(code, tmp_path)
    assert "ROWS 1" in out, out
    assert "'timm'" in out and "'torch'" in out, out
    assert "GUI THREAD []" in out, out


def test_install_desktop_and_uninstall(tmp_path: Path) -> None:
    env = {"XDG_DATA_HOME": str(tmp_path)}
    out = fmstudio("install-desktop", env=env)
    assert out.returncode == 0, out.stderr
    assert (tmp_path / "applications" / "io.github.fmstudio.desktop").is_file()
    assert "the menu entry starts:" in out.stdout
    out = fmstudio("install-desktop", "--uninstall", env=env)
    assert out.returncode == 0 and "removed 10 files" in out.stdout
    assert not (tmp_path / "applications" / "io.github.fmstudio.desktop").exists()
