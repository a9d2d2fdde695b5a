"""The menu entry a pip or bundle user installs: checked by the desktop's own validators."""

from __future__ import annotations

import subprocess
from pathlib import Path

from PIL import Image

from fmstudio.core import desktop


def test_install_writes_a_valid_entry_icons_and_metainfo_and_uninstall_removes_them(
    tmp_path: Path,
) -> None:
    written = desktop.install(tmp_path)
    assert sorted(written) == sorted(desktop.targets(tmp_path))
    entry = tmp_path / "applications" / "io.github.fmstudio.desktop"
    exec_line = next(line for line in entry.read_text().splitlines() if line.startswith("Exec="))
    program = exec_line.removeprefix("Exec=").split()[0].strip('"')
    assert Path(program).is_file()  # this installation's launcher, by its full path
    checked = subprocess.run(["desktop-file-validate", str(entry)], capture_output=True, text=True)
    assert checked.returncode == 0 and checked.stdout.strip() == "", checked.stdout
    metainfo = tmp_path / "metainfo" / "io.github.fmstudio.metainfo.xml"
    checked = subprocess.run(
        ["appstreamcli", "validate", "--no-net", str(metainfo)], capture_output=True, text=True
    )
    assert checked.returncode == 0, checked.stdout
    for size in (16, 48, 256):
        png = tmp_path / "icons" / "hicolor" / f"{size}x{size}" / "apps" / "io.github.fmstudio.png"
        with Image.open(png) as icon:
            assert icon.size == (size, size)
    assert sorted(desktop.uninstall(tmp_path)) == sorted(written)
    assert not any(path.exists() for path in written)
    assert desktop.uninstall(tmp_path) == []  # twice is fine
