"""Scan a training folder (one sub-folder per class) into a report, before anything trains.

The report lists classes, examples per class, every skipped file with its reason (corrupt,
empty, unsupported, exact duplicate), warnings (heavy imbalance) and errors (fewer than two
classes, a class with fewer than two examples). `train/` + `val/` (or `test/`) sub-folders are
honoured; otherwise a stratified split with a fixed seed is made.
"""

from __future__ import annotations

import hashlib
import random
from collections import Counter
from collections.abc import Callable, Generator, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

from fmstudio.core.data.audio import SHORT_CLIP_S
from fmstudio.core.data.report import Skipped
from fmstudio.core.data.split import KEPT, VAL_SPLIT, kept_apart, shuffled_split
from fmstudio.core.data.suffixes import TABLE_SUFFIXES
from fmstudio.core.data.texts import iter_rows, read_bytes
from fmstudio.core.errors import InputFileError
from fmstudio.core.events import Activity, CancelToken, Event
from fmstudio.core.modalities import import_target, modality
from fmstudio.core.requests import Scan
from fmstudio.core.wording import plural

IMBALANCE_RATIO = 3.0

ReadExample = Callable[[Path, bytes], str | float | None]
"""A task's check of one class file: its text (text), its seconds (sound), or None."""


@dataclass(frozen=True)
class Sample:
    """One example: a file (or `file.csv#row`) and its class; `text` for text rows and files."""

    path: str
    label: str
    text: str | None = None
    sha256: str = ""
    """The content hash of the file (of the whole table for a row), read during the scan."""
    seconds: float = 0.0
    """How long a recording is (0 for inputs that have no length)."""


@dataclass
class DatasetReport:
    task: str
    root: str
    classes: list[str] = field(default_factory=list)
    train: list[Sample] = field(default_factory=list)
    val: list[Sample] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    split: str = "stratified"

    @property
    def ok(self) -> bool:
        return not self.errors

    def resplit(self, val_split: float, seed: int) -> DatasetReport:
        """The report split with another fraction or seed (folder and kept splits stay)."""
        if self.split in ("folders", KEPT):
            return self
        train, val = stratified_split(self.train + self.val, val_split, seed)
        return replace(self, train=train, val=val)

    def keep_validation(self, files: Iterable[str]) -> DatasetReport:
        """These files (relative paths) as the validation set and everything else to train:
        a retrained model is measured on the files its predecessor was, which neither saw."""
        train, val = kept_apart(self.train + self.val, self.root, files)
        if not val or self.split == "folders":
            return self
        return replace(self, train=train, val=val, split=KEPT)

    def counts(self) -> dict[str, int]:
        """Examples per class, train and validation together."""
        c = self.counts_by_label()
        return {label: c[label] for label in self.classes}

    def counts_by_label(self) -> Counter[str]:
        """Examples per label found, before `classes` is set."""
        return Counter(s.label for s in self.train + self.val)

    def minutes(self) -> dict[str, float]:
        """Minutes of audio per class (empty for inputs that have no length)."""
        total: dict[str, float] = {}
        for s in self.train + self.val:
            if s.seconds:
                total[s.label] = total.get(s.label, 0.0) + s.seconds / 60
        return total

    def _class_counts(self) -> str:
        """ "dog 12, rain 30", with each class's minutes where the examples have a length."""
        minutes = self.minutes()
        return ", ".join(
            f"{k} {v}" + (f" ({minutes[k]:.1f} min)" if k in minutes else "")
            for k, v in self.counts().items()
        )

    def class_files(self) -> dict[str, tuple[str, str]]:
        """Each whole file's (class, sha256); table rows (`file.csv#3`) are not files."""
        return {s.path: (s.label, s.sha256) for s in self.train + self.val if "#" not in s.path}

    def summary(self, evaluating: bool = False) -> str:
        """What the scan found; `evaluating`: the examples a model will be measured on."""
        counts = self._class_counts()
        if evaluating:
            n = len(self.val) if self.split == "folders" else len(self.train) + len(self.val)
            head = f"{plural(len(self.classes), 'class')}, {plural(n, 'example')} to evaluate"
            if self.split == "folders":
                head += " (the val/ or test/ folder)"
            else:
                head += f": {counts}"
        else:
            head = (
                f"{plural(len(self.classes), 'class')}, {len(self.train)} training and "
                f"{plural(len(self.val), 'validation example')} ({self.split} split): {counts}"
            )
        lines = [head]
        if self.skipped:
            lines.append(f"{len(self.skipped)} files skipped")
        lines += [f"warning: {w}" for w in self.warnings]
        lines += [f"error: {e}" for e in self.errors]
        return "\n".join(lines)


def _read(path: Path, label: str, read_example: ReadExample) -> Sample:
    """Read and check a class file once: its sha256, and its text (text) or its seconds
    (sound), as the task's `read_example` finds them.

    Raises `InputFileError` with the reason it cannot be used.
    """
    data = read_bytes(path)
    found = read_example(path, data)
    digest = hashlib.sha256(data).hexdigest()
    if isinstance(found, float):
        return Sample(str(path), label, None, digest, found)
    return Sample(str(path), label, found, digest)


def read_sample(path: str, label: str, task: str) -> Sample:
    """One file read as `task` reads a dataset's examples (raises `InputFileError`)."""
    return _read(Path(path), label, import_target(modality(task).read_example))


def _class_files(
    folder: Path, task: str, report: DatasetReport, seen: dict[str, str]
) -> list[Sample]:
    accept = modality(task).example_suffixes
    read_example: ReadExample = import_target(modality(task).read_example)
    samples: list[Sample] = []
    for class_dir in sorted(
        p for p in folder.iterdir() if p.is_dir() and not p.name.startswith(".")
    ):
        for path in sorted(p for p in class_dir.rglob("*") if p.is_file()):
            if path.name.startswith("."):
                continue
            if path.suffix.lower() not in accept:
                report.skipped.append(
                    Skipped(str(path), f"unsupported file type {path.suffix or '(none)'}")
                )
                continue
            try:
                sample = _read(path, class_dir.name, read_example)
            except InputFileError as exc:
                report.skipped.append(Skipped(str(path), exc.reason))
                continue
            if sample.sha256 in seen:
                duplicate = f"exact duplicate of {seen[sample.sha256]}"
                report.skipped.append(Skipped(str(path), duplicate))
                continue
            seen[sample.sha256] = str(path)
            samples.append(sample)
        if not any(s.label == class_dir.name for s in samples):
            report.warnings.append(f"{class_dir} has no usable files: it is not used as a class")
    return samples


def _table_samples(
    path: Path, report: DatasetReport, text_column: str | None, label_column: str
) -> list[Sample]:
    """Every row of a table with a text and a label; the table is read and parsed once."""
    data = read_bytes(path)
    digest = hashlib.sha256(data).hexdigest()
    samples: list[Sample] = []
    for document, row in iter_rows(path, text_column, data):
        label = row.get(label_column)
        if isinstance(document, InputFileError):
            report.skipped.append(Skipped(document.path, document.reason))
        elif label in (None, ""):
            report.skipped.append(Skipped(document.path, f"no label in column {label_column!r}"))
        else:
            samples.append(Sample(document.path, str(label), document.text, digest))
    return samples


def stratified_split(
    samples: list[Sample], val_split: float, seed: int
) -> tuple[list[Sample], list[Sample]]:
    """Per class: a seeded shuffle, then `val_split` of it (at least 1, never all) to validation."""
    rng = random.Random(seed)
    train: list[Sample] = []
    val: list[Sample] = []
    by_class: dict[str, list[Sample]] = {}
    for s in samples:
        by_class.setdefault(s.label, []).append(s)
    for label in sorted(by_class):
        class_train, class_val = shuffled_split(
            sorted(by_class[label], key=lambda s: s.path), val_split, rng
        )
        val += class_val
        train += class_train
    return train, val


def scan(
    root: str | Path,
    task: str,
    val_split: float = VAL_SPLIT,
    seed: int = 0,
    text_column: str | None = None,
    label_column: str = "label",
) -> DatasetReport:
    """Read a dataset folder (or, for text, a CSV/TSV/JSONL file) into a `DatasetReport`."""
    root = Path(root).expanduser()
    report = DatasetReport(task, str(root))
    if not root.exists():
        report.errors.append(f"{root} does not exist")
        return report
    seen: dict[str, str] = {}
    if root.is_file():
        if not modality(task).accepts_tables or root.suffix.lower() not in TABLE_SUFFIXES:
            report.errors.append(f"{root} is a file; choose a folder with one sub-folder per class")
            return report
        report.train, report.val = stratified_split(
            _table_samples(root, report, text_column, label_column), val_split, seed
        )
    else:
        splits = {p.name.lower(): p for p in root.iterdir() if p.is_dir()}
        if "train" in splits and ("val" in splits or "test" in splits):
            report.split = "folders"
            report.train = _class_files(splits["train"], task, report, seen)
            report.val = _class_files(splits.get("val") or splits["test"], task, report, seen)
        else:
            samples = _class_files(root, task, report, seen)
            report.train, report.val = stratified_split(samples, val_split, seed)
    _leave_out_lone_examples(report)
    report.classes = sorted({s.label for s in report.train + report.val})
    _validate(report)
    return report


def _leave_out_lone_examples(report: DatasetReport) -> None:
    """A class of one example cannot be both learnt and checked: it is left out, named with
    its file, and the other classes train."""
    for label, n in report.counts_by_label().items():
        if n >= 2:
            continue
        lone = [s for s in report.train + report.val if s.label == label]
        report.warnings.append(
            f"class {label!r} has 1 example ({lone[0].path}): it is left out; "
            "a class needs at least 2"
        )
        report.skipped += [Skipped(s.path, f"the only example of class {label!r}") for s in lone]
        report.train = [s for s in report.train if s.label != label]
        report.val = [s for s in report.val if s.label != label]


def _validate(report: DatasetReport) -> None:
    counts = report.counts()
    if len(counts) < 2:
        found = ", ".join(counts) or "none"
        report.errors.append(
            f"need at least 2 classes with examples; found {len(counts)} ({found})"
        )
    if counts and min(counts.values()) > 0:
        ratio = max(counts.values()) / min(counts.values())
        if ratio > IMBALANCE_RATIO:
            big = max(counts, key=counts.__getitem__)
            small = min(counts, key=counts.__getitem__)
            report.warnings.append(
                f"heavy imbalance: {big!r} has {counts[big]} examples, "
                f"{small!r} only {counts[small]} (a class-balanced loss will be used)"
            )
    _short_clips(report)
    if report.split == "folders":
        missing = sorted({s.label for s in report.train} - {s.label for s in report.val})
        if missing:
            report.warnings.append(f"no validation examples for {', '.join(missing)}")


def _short_clips(report: DatasetReport) -> None:
    short = [s for s in report.train + report.val if 0 < s.seconds < SHORT_CLIP_S]
    if short:
        shortest = min(short, key=lambda s: s.seconds)
        report.warnings.append(
            f"{plural(len(short), 'clip')} shorter than {SHORT_CLIP_S} s (the shortest "
            f"{shortest.path}, {shortest.seconds:.2f} s): each is heard padded with silence"
        )


def scan_job(
    request: Scan, *, cancel: CancelToken | None = None
) -> Generator[Event, None, DatasetReport]:
    """`scan` as a job, for the wizard's worker: decoding every image takes a while."""
    yield Activity(f"Checking {request.root}…")
    return scan(
        request.root,
        request.task,
        request.val_split,
        request.seed,
        request.text_column,
        request.label_column,
    )
