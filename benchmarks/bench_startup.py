"""Start-up time: process start -> main window shown, and `fmstudio --version`,
against a bare `python -c "import PySide6.QtWidgets"`. Median of several runs, ratio last."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import median_seconds, report

RUNS = int(os.environ.get("BENCH_RUNS", "7"))
ENV = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "FMSTUDIO_HOME": tempfile.mkdtemp()}

# Shows the window, processes the first events, then exits: what a user waits for.
WINDOW = (
    "import sys\n"
    "from fmstudio.ui.app import create_app\n"
    "from fmstudio.ui.main_window import MainWindow\n"
    "app = create_app()\n"
    "w = MainWindow(); w.show(); app.processEvents()\n"
    "import os; os._exit(0)\n"
)
BASELINE = "import PySide6.QtWidgets"


def run(args: list[str]) -> None:
    subprocess.run(args, env=ENV, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def main() -> None:
    py = sys.executable
    run([py, "-c", WINDOW])  # warm the file cache once
    baseline = median_seconds(lambda: run([py, "-c", BASELINE]), RUNS)
    version = median_seconds(lambda: run([py, "-m", "fmstudio", "--version"]), RUNS)
    window = median_seconds(lambda: run([py, "-c", WINDOW]), RUNS)
    print(f"runs: {RUNS} (medians)")
    print(f"fmstudio --version: {version:.3f} s")
    report("window shown", window, "bare PySide6 import", baseline, "s", "window / bare import")


if __name__ == "__main__":
    main()
