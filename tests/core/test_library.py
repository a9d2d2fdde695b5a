"""The user's library: renaming and deleting never touch what is not a model of theirs."""

from __future__ import annotations

from pathlib import Path

import pytest

from fmstudio.core import library, paths
from fmstudio.core.errors import FmError


def _model(name: str) -> Path:
    folder = paths.models_dir() / name
    folder.mkdir(parents=True)
    (folder / "model.json").write_text('{"task": "text"}', encoding="utf-8")
    return folder


def test_rename_refuses_a_taken_name_and_delete_a_folder_that_is_no_model(
    fm_home: Path, tmp_path: Path
) -> None:
    a, b = _model("a"), _model("b")
    with pytest.raises(FmError, match="exists already"):
        library.rename(a, "b")
    assert a.is_dir() and b.is_dir()
    assert library.rename(a, "c") == paths.models_dir() / "c" and not a.exists()
    mine = tmp_path / "holiday photos"
    mine.mkdir()
    (mine / "beach.jpg").write_bytes(b"x")
    with pytest.raises(FmError, match="not a model fmstudio saved"):
        library.delete(mine)
    assert (mine / "beach.jpg").is_file()
    library.delete(b)
    assert not b.exists()
