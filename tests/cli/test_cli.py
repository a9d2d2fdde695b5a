from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def fmstudio(
    *args: str, env: dict[str, str] | None = None, timeout: int = 120
) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "fmstudio", *args],
        capture_output=True,
        text=True,
        env=full_env,
        timeout=timeout,
    )


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
        assert entry["task"] in {"text", "image", "speech"}
        assert entry["source"] in {"bundled", "library", "hub"}
    bundled = {m["task"]: m for m in models if m["source"] == "bundled"}
    assert set(bundled) == {"text", "image", "speech"}
    assert all(m["available_offline"] for m in bundled.values())


def test_devices_json() -> None:
    out = fmstudio("devices", "--json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["auto"] in {d["kind"] for d in data["devices"]}
    assert any(d["kind"] == "cpu" for d in data["devices"])


def test_gui_screenshot_writes_png(tmp_path: Path) -> None:
    target = tmp_path / "shots" / "window.png"
    out = fmstudio(
        "gui", "--screenshot", str(target), "--tab", "image", env={"QT_QPA_PLATFORM": "offscreen"}
    )
    assert out.returncode == 0, out.stderr
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
    assert "1 kept, 0 broken" in out.stdout


def test_opening_the_window_imports_no_model_library(tmp_path: Path) -> None:
    """Torch arrives later, on the worker that finds the device for the status bar."""
    code = (
        "import sys\n"
        "from fmstudio.ui.app import create_app\n"
        "from fmstudio.ui.main_window import MainWindow\n"
        "app = create_app(); w = MainWindow(); w.show()\n"
        "names = ('torch', 'transformers', 'timm', 'faster_whisper')\n"
        "print('HEAVY', [m for m in names if m in sys.modules])\n"
        "import os; os._exit(0)\n"
    )
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "FMSTUDIO_HOME": str(tmp_path)}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60
    )
    assert "HEAVY []" in out.stdout, out.stdout + out.stderr
