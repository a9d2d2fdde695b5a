"""Filing a likely label error under the class the audit suggests, and taking that back.

A class is a folder (`DATA/label/...` or `DATA/train/label/...`), so relabelling a file is a
move into its sibling class folder; the move is by rename, so nothing is half-written, and it
is undone by moving the file back where it was.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from fmstudio.core.errors import FmError
from fmstudio.core.placing import move_into


@dataclass(frozen=True)
class Refiled:
    """Where a file was, and where it is now."""

    source: str
    target: str


def class_folder(path: Path, label: str) -> Path:
    """The folder of class `label` that holds `path` (files may sit in its subfolders)."""
    for folder in path.parents:
        if folder.name == label:
            return folder
    raise FmError(f"{path} is not in a folder named {label!r}")


def refile(path: str, given: str, suggested: str) -> Refiled:
    """Move the file from its class folder into the `suggested` class's, beside it."""
    if "#" in path and not Path(path).exists():
        raise FmError(f"{path} is a row of a table: change its label in the table itself")
    source = Path(path)
    if not source.is_file():
        raise FmError(f"{path} is no longer there")
    target = move_into(source, class_folder(source, given).parent / suggested)
    return Refiled(str(source), str(target))


def put_back(refiled: Refiled) -> str:
    """Move the file back into the folder it came from; where it landed."""
    moved = Path(refiled.target)
    if not moved.is_file():
        raise FmError(f"{moved} is no longer there, so it cannot go back")
    source = Path(refiled.source)
    return str(move_into(moved, source.parent, source.name))


class Refiler:
    """The audited examples where they are now, and the moves made: a key press or a lasso
    moves a group, and one undo puts the whole group back."""

    def __init__(self, paths: list[str], labels: list[str]) -> None:
        self.paths = list(paths)
        self.labels = list(labels)
        self._groups: list[list[tuple[int, str, Refiled]]] = []
        """Per group: (example, its class before, the move)."""

    def move(self, indices: list[int], to: str) -> tuple[list[int], list[str]]:
        """File these examples under class `to`; the ones moved, and why others were not
        (those already in `to` are left as they are)."""
        group: list[tuple[int, str, Refiled]] = []
        problems: list[str] = []
        for i in indices:
            if self.labels[i] == to:
                continue
            try:
                moved = refile(self.paths[i], self.labels[i], to)
            except (FmError, OSError) as exc:
                problems.append(f"{self.paths[i]}: {exc}")
                continue
            group.append((i, self.labels[i], moved))
            self.paths[i], self.labels[i] = moved.target, to
        if group:
            self._groups.append(group)
        return [i for i, _, _ in group], problems

    def undo(self) -> tuple[list[int], list[str]]:
        """Put the last group back; the examples back, and why any could not go."""
        if not self._groups:
            return [], []
        back: list[int] = []
        problems: list[str] = []
        for i, label, moved in reversed(self._groups.pop()):
            try:
                self.paths[i] = put_back(moved)
            except (FmError, OSError) as exc:
                problems.append(str(exc))
                continue
            self.labels[i] = label
            back.append(i)
        return back, problems

    @property
    def can_undo(self) -> bool:
        return bool(self._groups)
