"""What the training job and the library need of any dataset scan: images, texts or clips."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, TypeVar

R = TypeVar("R", bound="ScanReport")


@dataclass(frozen=True)
class Skipped:
    """A file a scan passed over, and why (corrupt, empty, unsupported, a duplicate)."""

    path: str
    reason: str


class Example(Protocol):
    @property
    def path(self) -> str: ...

    @property
    def label(self) -> str:
        """The class, or for speech the transcript: what the model learns for this input."""
        ...

    @property
    def sha256(self) -> str: ...


def relative_path(path: str, root: str) -> str:
    """An example's path relative to its dataset (its name when it lies outside): how model
    cards name files, so a moved dataset still matches."""
    try:
        return Path(path).relative_to(root).as_posix()
    except ValueError:
        return Path(path).name


class ScanReport(Protocol):
    @property
    def task(self) -> str: ...

    @property
    def root(self) -> str: ...

    @property
    def split(self) -> str: ...

    @property
    def classes(self) -> list[str]: ...

    @property
    def train(self) -> Sequence[Example]: ...

    @property
    def val(self) -> Sequence[Example]: ...

    @property
    def skipped(self) -> list[Skipped]:
        """The files left out, each with its reason."""
        ...

    @property
    def warnings(self) -> list[str]: ...

    @property
    def errors(self) -> list[str]: ...

    @property
    def ok(self) -> bool: ...

    def summary(self, evaluating: bool = False) -> str:
        """What the scan found, in lines: the counts first, then warnings and errors."""
        ...

    def counts(self) -> dict[str, int]:
        """Examples per class (empty where there are no classes)."""
        ...

    def resplit(self: R, val_split: float, seed: int) -> R:
        """The report split with this fraction and seed (a dataset's own split stays)."""
        ...

    def keep_validation(self: R, files: Iterable[str]) -> R:
        """These files (relative paths) as the validation set, the rest to train."""
        ...

    def class_files(self) -> dict[str, tuple[str, str]]:
        """Each file that is one example of a class: its (class, sha256), read by the scan, so
        a job folder's manifest need not read the files again. Empty where examples are not
        whole files of a class (transcribed clips)."""
        ...
