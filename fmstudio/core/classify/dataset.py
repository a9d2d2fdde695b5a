"""A dataset folder that grows from classified inputs: one sub-folder per class.

Files are copied into `DATASET/<class>/`, texts that no file holds alone (pasted text, a row of a
table) are written as `.txt` files, the same content is never added twice (whatever its class),
and an add can be undone: exactly the files it created are removed again.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from fmstudio.core.classify.results import ItemResult
from fmstudio.core.errors import FmError, InputFileError
from fmstudio.core.modalities import modality
from fmstudio.core.placing import copy_into, folder_name, write_text_into

"""What the training scan reads as an example in a class folder, per task."""
_WORD = re.compile(r"[^\W_]+")


@dataclass(frozen=True)
class Item:
    """One thing to add: a file, or a text (with `source` saying where it came from)."""

    source: str
    text: str | None = None

    @classmethod
    def of(cls, result: ItemResult) -> Item:
        return cls(result.path, result.text)

    def content(self) -> bytes:
        if self.text is not None:
            return self.text.encode("utf-8")
        try:
            return Path(self.source).read_bytes()
        except OSError as exc:
            raise InputFileError(self.source, f"cannot read: {exc.strerror or exc}") from exc

    def file_name(self) -> str:
        """The name it is saved under: its own, or one made from the row or the first words."""
        if self.text is None:
            return Path(self.source).name
        where, _, row = self.source.rpartition("#")
        if where and where != "pasted" and row.isdigit():
            return f"{Path(where).stem}-row{row}.txt"
        words = _WORD.findall(self.text.lower())[:6]
        return ("-".join(words)[:60] or "text") + ".txt"


@dataclass(frozen=True)
class Added:
    """What became of one item: the file it was saved as, or why it was not added."""

    item: Item
    path: str | None = None
    sha256: str = ""
    reason: str = ""


@dataclass
class AddRecord:
    """One add: what it placed (an undo removes exactly these) and what it skipped."""

    label: str
    folder: Path
    created: bool = False
    """Whether the add made the class folder (an undo then removes it again when empty)."""
    outcomes: list[Added] = field(default_factory=list)

    @property
    def placed(self) -> list[Added]:
        return [a for a in self.outcomes if a.path is not None]

    @property
    def skipped(self) -> list[Added]:
        return [a for a in self.outcomes if a.path is None]

    def summary(self) -> str:
        text = f"Added {len(self.placed)} to “{self.label}”"
        if self.skipped:
            first = self.skipped[0]
            why = f"{Path(first.item.source).name}: {first.reason}"
            text += f"; {len(self.skipped)} not added ({why})"
        return text + "."


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class Dataset:
    """A class-folder dataset on disk, with an index of its contents to refuse duplicates.

    The index hashes only files whose size matches a new item's, so opening a large dataset
    costs one directory listing, not a read of every file.
    """

    def __init__(self, root: str | Path, task: str) -> None:
        if not modality(task).example_suffixes:
            raise FmError(f"{task} datasets are not class folders")
        self.root = Path(root).expanduser()
        self.task = task
        self._by_size: dict[int, list[Path]] | None = None
        self._hashes: dict[Path, str] = {}

    def classes(self) -> list[str]:
        if not self.root.is_dir():
            return []
        return sorted(
            p.name for p in self.root.iterdir() if p.is_dir() and not p.name.startswith(".")
        )

    def _files(self, folder: Path) -> Iterable[Path]:
        accept = modality(self.task).example_suffixes
        return (
            p
            for p in folder.iterdir()
            if p.is_file() and not p.name.startswith(".") and p.suffix.lower() in accept
        )

    def counts(self) -> dict[str, int]:
        """Examples per class folder, as the training scan will find them (before checks)."""
        return {c: sum(1 for _ in self._files(self.root / c)) for c in self.classes()}

    def _index(self) -> dict[int, list[Path]]:
        if self._by_size is None:
            self._by_size = {}
            for c in self.classes():
                for path in self._files(self.root / c):
                    self._by_size.setdefault(path.stat().st_size, []).append(path)
        return self._by_size

    def find(self, size: int, digest: str) -> Path | None:
        """The file in the dataset with this size and content hash, if there is one."""
        for path in self._index().get(size, []):
            if path not in self._hashes:
                try:
                    self._hashes[path] = _sha256(path.read_bytes())
                except OSError:
                    continue
            if self._hashes[path] == digest and path.exists():
                return path
        return None

    def add(self, items: Sequence[Item], label: str) -> AddRecord:
        """Copy (or write) each item into the class folder; duplicates and failures are kept
        in the record with their reason, and the others go on."""
        if not label.strip():
            raise FmError("choose a class to add to")
        folder = self.root / folder_name(label.strip())
        record = AddRecord(folder.name, folder, created=not folder.exists())
        for item in items:
            record.outcomes.append(self._add_one(item, folder))
        return record

    def _add_one(self, item: Item, folder: Path) -> Added:
        try:
            data = item.content()
        except InputFileError as exc:
            return Added(item, reason=exc.reason)
        if not data.strip():
            return Added(item, reason="empty")
        digest = _sha256(data)
        same = self.find(len(data), digest)
        if same is not None:
            return Added(item, reason=f"already in the dataset as {same.relative_to(self.root)}")
        try:
            if item.text is None:
                path = copy_into(Path(item.source), folder, item.file_name())
            else:
                path = write_text_into(item.text, folder, item.file_name())
        except OSError as exc:
            return Added(item, reason=f"cannot write into {folder}: {exc.strerror or exc}")
        self._index().setdefault(len(data), []).append(path)
        self._hashes[path] = digest
        return Added(item, str(path), digest)

    def undo(self, record: AddRecord) -> int:
        """Remove the files `record` placed (those still unchanged); return how many."""
        removed = 0
        for added in record.placed:
            path = Path(str(added.path))
            try:
                if _sha256(path.read_bytes()) != added.sha256:
                    continue  # changed since: the user's now
                path.unlink()
            except OSError:
                continue
            self._hashes.pop(path, None)
            removed += 1
        if record.created and record.folder.is_dir() and not any(record.folder.iterdir()):
            record.folder.rmdir()
        self._by_size = None
        return removed
