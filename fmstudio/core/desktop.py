"""The menu entry: the .desktop file, the icons and the AppStream metainfo in the user's XDG
folders (freedesktop.org), so a pip, pipx or bundle install shows up in the desktop's menu.

Nothing needs root: everything goes under `$XDG_DATA_HOME` (`~/.local/share`), and the
desktop file starts this very installation (its `fmstudio-gui`, or the bundle's binary).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from fmstudio.core.atomic import atomic_target, atomic_write_text

APP_ID = "io.github.fmstudio"
RESOURCES = Path(__file__).resolve().parents[1] / "resources"
ICON_SIZES = (16, 24, 32, 48, 64, 128, 256)


def data_home() -> Path:
    return Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")


def launcher() -> str:
    """The desktop file's Exec line for this installation (quoted where it has spaces)."""
    if getattr(sys, "frozen", False):  # a PyInstaller bundle: its own binary opens the window
        words = [sys.executable, "gui"]
    else:
        script = Path(sys.executable).parent / "fmstudio-gui"
        found = script if script.is_file() else shutil.which("fmstudio-gui")
        words = [str(found)] if found else [sys.executable, "-m", "fmstudio", "gui"]
    return " ".join(f'"{w}"' if " " in w else w for w in words)


def targets(home: Path) -> list[Path]:
    """Every file `install` writes under `home` (an XDG data folder)."""
    icons = home / "icons" / "hicolor"
    return [
        home / "applications" / f"{APP_ID}.desktop",
        home / "metainfo" / f"{APP_ID}.metainfo.xml",
        icons / "scalable" / "apps" / f"{APP_ID}.svg",
        *(icons / f"{n}x{n}" / "apps" / f"{APP_ID}.png" for n in ICON_SIZES),
    ]


def install(home: Path | None = None) -> list[Path]:
    """Write the menu entry for this installation; returns the files written."""
    home = home or data_home()
    desktop, metainfo, svg, *pngs = targets(home)
    entry = (RESOURCES / f"{APP_ID}.desktop").read_text("utf-8")
    lines = [
        f"Exec={launcher()}" if line.startswith("Exec=") else line for line in entry.split("\n")
    ]
    atomic_write_text(desktop, "\n".join(lines))
    atomic_write_text(metainfo, (RESOURCES / f"{APP_ID}.metainfo.xml").read_text("utf-8"))
    atomic_write_text(svg, (RESOURCES / "fmstudio.svg").read_text("utf-8"))
    _write_icons(pngs)
    _refresh(home)
    return [desktop, metainfo, svg, *pngs]


def _write_icons(pngs: list[Path]) -> None:
    from PIL import Image

    with Image.open(RESOURCES / "fmstudio.png") as icon:
        for path, size in zip(pngs, ICON_SIZES, strict=True):
            with atomic_target(path) as tmp:
                icon.resize((size, size), Image.Resampling.LANCZOS).save(tmp, "PNG")


def uninstall(home: Path | None = None) -> list[Path]:
    """Remove what `install` wrote; returns the files removed."""
    home = home or data_home()
    removed = [path for path in targets(home) if path.is_file()]
    for path in removed:
        path.unlink()
    _refresh(home)
    return removed


def _refresh(home: Path) -> None:
    """Tell the menu and the icon theme, where their tools exist (the entry works without)."""
    for command in (
        ["update-desktop-database", str(home / "applications")],
        ["gtk-update-icon-cache", "--quiet", "--ignore-theme-index", str(home / "icons/hicolor")],
    ):
        if shutil.which(command[0]):
            subprocess.run(command, check=False, capture_output=True)
