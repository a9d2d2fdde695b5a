"""Refiling a suspect under its suggested class, and putting it back."""

from __future__ import annotations

from pathlib import Path

import pytest

from fmstudio.core.audit.refile import put_back, refile
from fmstudio.core.errors import FmError


def test_a_file_in_a_subfolder_moves_to_the_sibling_class_and_back(tmp_path: Path) -> None:
    nested = tmp_path / "train" / "cat" / "2024"
    nested.mkdir(parents=True)
    (nested / "a.png").write_bytes(b"first")
    (tmp_path / "train" / "dog").mkdir()
    (tmp_path / "train" / "dog" / "a.png").write_bytes(b"a dog of the same name")
    moved = refile(str(nested / "a.png"), "cat", "dog")
    target = Path(moved.target)
    assert target.parent == tmp_path / "train" / "dog" and target.read_bytes() == b"first"
    assert (tmp_path / "train" / "dog" / "a.png").read_bytes() == b"a dog of the same name"
    assert not (nested / "a.png").exists()
    assert put_back(moved) == str(nested / "a.png")
    assert (nested / "a.png").read_bytes() == b"first" and not target.exists()


def test_a_class_the_dataset_lacks_is_made_and_what_cannot_move_says_why(tmp_path: Path) -> None:
    (tmp_path / "cat").mkdir()
    (tmp_path / "cat" / "b.txt").write_text("x")
    moved = refile(str(tmp_path / "cat" / "b.txt"), "cat", "bird")
    assert Path(moved.target) == tmp_path / "bird" / "b.txt"
    Path(moved.target).unlink()
    with pytest.raises(FmError, match="no longer there"):
        put_back(moved)
    with pytest.raises(FmError, match="no longer there"):
        refile(str(tmp_path / "cat" / "gone.txt"), "cat", "dog")
    with pytest.raises(FmError, match="row of a table"):
        refile(str(tmp_path / "rows.csv#3"), "cat", "dog")
    (tmp_path / "loose.txt").write_text("y")
    with pytest.raises(FmError, match="not in a folder named 'cat'"):
        refile(str(tmp_path / "loose.txt"), "cat", "dog")


def test_a_group_moves_together_and_one_undo_puts_it_all_back(tmp_path: Path) -> None:
    from fmstudio.core.audit.refile import Refiler

    paths = []
    for label, name in (("cat", "a"), ("cat", "b"), ("dog", "c")):
        (tmp_path / label).mkdir(exist_ok=True)
        (tmp_path / label / f"{name}.png").write_bytes(name.encode())
        paths.append(str(tmp_path / label / f"{name}.png"))
    refiler = Refiler(paths, ["cat", "cat", "dog"])
    (tmp_path / "cat" / "b.png").unlink()  # gone since the audit: said, the rest go on
    moved, problems = refiler.move([0, 1, 2], "dog")
    assert moved == [0] and len(problems) == 1 and "b.png" in problems[0]
    assert refiler.labels == ["dog", "cat", "dog"] and Path(refiler.paths[0]).parent.name == "dog"
    refiler.move([2], "bird")
    assert (tmp_path / "bird" / "c.png").is_file()
    assert refiler.undo() == ([2], []) and (tmp_path / "dog" / "c.png").is_file()
    assert refiler.undo() == ([0], []) and refiler.paths[0] == paths[0]
    assert (tmp_path / "cat" / "a.png").read_bytes() == b"a"
    assert not refiler.can_undo and refiler.undo() == ([], [])
