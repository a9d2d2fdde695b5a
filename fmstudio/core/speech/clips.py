"""Scan a folder of audio clips with transcripts into a report, before a speech model trains.

Three layouts people already have are read: a Hugging Face `audiofolder` (`metadata.csv` or
`metadata.jsonl` with `file_name` and a text column), a CSV/TSV with a path column and a text
column (Common Voice's `train.tsv`, `dev.tsv`, `test.tsv`), or a same-stem `.txt` beside each
audio file. `train/` + `test/` (or `val/`) sub-folders, and train/dev/test tables, are kept as
the split; otherwise a seeded split. Each clip is decoded once here, so the report can say
how long the data is and refuse what cannot train (with the reason), and the rest goes on.
"""

from __future__ import annotations

import hashlib
import statistics
from collections.abc import Generator, Iterable, Iterator
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from fmstudio.core.data.audio import SAMPLE_RATE, load_audio
from fmstudio.core.data.cues import TIMED_SUFFIXES, group_cues, parse_cues
from fmstudio.core.data.report import Skipped
from fmstudio.core.data.split import KEPT, VAL_SPLIT, kept_apart, seeded_split
from fmstudio.core.data.suffixes import AUDIO_SUFFIXES
from fmstudio.core.data.texts import Row, read_text_file, table_rows
from fmstudio.core.errors import InputFileError
from fmstudio.core.events import Activity, CancelToken, Event
from fmstudio.core.requests import Scan

if TYPE_CHECKING:
    import numpy as np

MAX_SECONDS = 30.0
"""Whisper's window: a longer clip would be cut off by the encoder."""
MIN_CLIPS = 10
SILENCE_PEAK = 1e-3
"""A clip whose loudest sample stays under this (-60 dBFS) holds no speech to learn from."""

PATH_COLUMNS = ("file_name", "path", "file", "filename", "audio", "audio_path", "clip")
TEXT_COLUMNS = ("transcription", "text", "sentence", "transcript", "normalized_text")
TRAIN_NAMES = ("train",)
VAL_NAMES = ("val", "validation", "dev", "test")


class _Row(NamedTuple):
    """One candidate clip as a layout names it, before its audio is checked."""

    where: str
    path: Path | None
    text: str | None
    problem: str | None
    span: tuple[float, float] | None = None


Pairs = Iterator[_Row]


@dataclass(frozen=True)
class Clip:
    """One training example: an audio file (or a span of one), its transcript and length."""

    path: str
    text: str
    seconds: float
    sha256: str
    span: tuple[float, float] | None = None
    """Start and end in seconds, for a piece of a longer recording with a timed transcript."""

    @property
    def label(self) -> str:
        """What the model learns for this clip (its place in the dataset hash)."""
        return self.text


@dataclass
class ClipReport:
    """What a speech dataset holds; shaped like the classifiers' report where the job reads it."""

    root: str
    layout: str = ""
    train: list[Clip] = field(default_factory=list)
    val: list[Clip] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    split: str = "seeded"
    task: str = "speech"
    classes: list[str] = field(default_factory=list)
    """Always empty: speech has transcripts, not classes."""

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def clips(self) -> list[Clip]:
        return self.train + self.val

    def counts(self) -> dict[str, int]:
        return {}

    def class_files(self) -> dict[str, tuple[str, str]]:
        return {}

    def resplit(self, val_split: float, seed: int) -> ClipReport:
        if self.split in ("folders", KEPT):
            return self
        train, val = seeded_split(self.clips, val_split, seed)
        return replace(self, train=train, val=val)

    def keep_validation(self, files: Iterable[str]) -> ClipReport:
        """These clips (relative paths) to validate on, as a retrained classifier keeps its
        predecessor's: a model is measured on what the one before it was."""
        train, val = kept_apart(self.clips, self.root, files)
        if not val or self.split == "folders":
            return self
        return replace(self, train=train, val=val, split=KEPT)

    def summary(self, evaluating: bool = False) -> str:
        seconds = [c.seconds for c in self.clips]
        if evaluating:
            n = len(self.val) if self.split == "folders" else len(seconds)
            head = f"{n} clips to evaluate"
        else:
            head = (
                f"{len(seconds)} clips ({self.layout}): {len(self.train)} training and "
                f"{len(self.val)} validation ({self.split} split)"
            )
        lines = [head]
        if seconds:
            lines.append(
                f"{sum(seconds) / 60:.1f} minutes of audio; clips {min(seconds):.1f} s to "
                f"{max(seconds):.1f} s (median {statistics.median(seconds):.1f} s)"
            )
        lines += [f"skipped {s.path}: {s.reason}" for s in self.skipped]
        lines += [f"warning: {w}" for w in self.warnings]
        lines += [f"error: {e}" for e in self.errors]
        return "\n".join(lines)


def _column(row: Row, names: tuple[str, ...]) -> str | None:
    lowered = {str(k).strip().lower(): k for k in row}
    return next((str(lowered[n]) for n in names if n in lowered), None)


def _table_pairs(table: Path) -> Pairs:
    """(where, audio path, transcript, problem) for each row of a metadata table."""
    try:
        rows = table_rows(table, read_text_file(table))
    except InputFileError as exc:
        yield _Row(str(table), None, None, exc.reason)
        return
    good = [r for r in rows if not isinstance(r, InputFileError)]
    path_col = _column(good[0], PATH_COLUMNS) if good else None
    text_col = _column(good[0], TEXT_COLUMNS) if good else None
    if path_col is None or text_col is None:
        needs = (
            f"needs a path column ({', '.join(PATH_COLUMNS)}) and a text column "
            f"({', '.join(TEXT_COLUMNS)})"
        )
        yield _Row(str(table), None, None, needs)
        return
    for n, row in enumerate(rows, start=1):
        where = f"{table.name}#{n}"
        if isinstance(row, InputFileError):
            yield _Row(where, None, None, row.reason)
            continue
        name = str(row.get(path_col) or "").strip()
        if not name:
            yield _Row(where, None, None, "no audio file named")
            continue
        yield _Row(where, _locate(table.parent, name), str(row.get(text_col) or ""), None)


def _locate(folder: Path, name: str) -> Path:
    """A table's file name, relative to the table or (Common Voice) to its `clips/` folder."""
    path = folder / name
    if not path.exists() and (folder / "clips" / name).exists():
        return folder / "clips" / name
    return path


def _transcript_file(audio: Path) -> Path | None:
    for suffix in (".txt", *TIMED_SUFFIXES):
        if audio.with_suffix(suffix).is_file():
            return audio.with_suffix(suffix)
    return None


def _timed_rows(audio: Path, transcript: str) -> Pairs:
    """A recording with an SRT/VTT transcript, cut at cue boundaries into pieces of <= 30 s."""
    cues = [c for c in parse_cues(transcript) if c.text]
    if not cues:
        yield _Row(str(audio), audio, None, "the timed transcript has no cues with text")
    for group in group_cues(cues, MAX_SECONDS):
        span = (group[0].start, group[-1].end)
        where = f"{audio}@{span[0]:.1f}-{span[1]:.1f}s"
        yield _Row(where, audio, " ".join(c.text for c in group), None, span)


def _stem_pairs(folder: Path) -> Pairs:
    for audio in sorted(p for p in folder.rglob("*") if p.suffix.lower() in AUDIO_SUFFIXES):
        text_file = _transcript_file(audio)
        if text_file is None:
            yield _Row(str(audio), audio, None, "no transcript (.txt, .srt or .vtt beside it)")
            continue
        try:
            text = read_text_file(text_file)
        except InputFileError as exc:
            yield _Row(str(audio), audio, None, f"transcript {text_file.name}: {exc.reason}")
            continue
        if text_file.suffix in TIMED_SUFFIXES:
            yield from _timed_rows(audio, text)
        else:
            yield _Row(str(audio), audio, text, None)


def _tables(folder: Path) -> list[Path]:
    return sorted(
        p
        for p in folder.iterdir()
        if p.suffix.lower() in (".csv", ".tsv", ".jsonl") and p.is_file()
    )


def _named_tables(folder: Path) -> tuple[Path | None, Path | None]:
    """Common Voice's `train.tsv` and its `dev.tsv` (or `val`, `test`) when both are there."""
    by_stem = {p.stem.lower(): p for p in _tables(folder)}
    train = next((by_stem[n] for n in TRAIN_NAMES if n in by_stem), None)
    val = next((by_stem[n] for n in VAL_NAMES if n in by_stem), None)
    return train, val


def _pairs(folder: Path) -> tuple[str, Pairs]:
    """The layout of one folder, and its (where, audio, transcript, problem) rows."""
    meta = next(
        (folder / n for n in ("metadata.csv", "metadata.jsonl") if (folder / n).is_file()), None
    )
    if meta is not None:
        return "audiofolder metadata", _table_pairs(meta)
    stems = [
        p
        for suffix in (".txt", *TIMED_SUFFIXES)
        for p in folder.rglob(f"*{suffix}")
        if any(p.with_suffix(s).exists() for s in AUDIO_SUFFIXES)
    ]
    if stems:
        return "a transcript (.txt, .srt, .vtt) beside each clip", _stem_pairs(folder)
    tables = _tables(folder)
    if tables:
        return "a table of clips and transcripts", (r for t in tables for r in _table_pairs(t))
    return "no transcripts found", _stem_pairs(folder)


@lru_cache(maxsize=1)
def _recording(path: str) -> np.ndarray:
    """The last long recording decoded: its pieces come one after another."""
    return load_audio(path)


def _samples(path: str, span: tuple[float, float] | None) -> np.ndarray:
    if span is None:
        return load_audio(path)
    start, end = (round(t * SAMPLE_RATE) for t in span)
    return _recording(path)[start:end]


def clip_audio(clip: Clip) -> np.ndarray:
    """The clip's samples at 16 kHz (its span only, for a piece of a longer recording)."""
    return _samples(clip.path, clip.span)


def _decode(path: Path, span: tuple[float, float] | None) -> tuple[float, str]:
    """The clip's length in seconds and its content hash; raises InputFileError."""
    import numpy as np

    samples = _samples(str(path), span)
    seconds = samples.size / SAMPLE_RATE
    if seconds > MAX_SECONDS:
        hint = "a cue" if span else "cut it into shorter clips, or add an .srt/.vtt transcript"
        raise InputFileError(path, f"{seconds:.0f} s is longer than Whisper's 30 s window ({hint})")
    if not samples.size or float(np.abs(samples).max()) < SILENCE_PEAK:
        raise InputFileError(path, "silent (no sound above -60 dBFS)")
    digest = hashlib.sha256(path.read_bytes())
    if span is not None:
        digest.update(f"@{span}".encode())
    return seconds, digest.hexdigest()


def _clip(row: _Row, seen: dict[str, str]) -> Clip:
    """A usable clip, or InputFileError saying why this row cannot train."""
    where, path = row.where, row.path
    if path is None:
        raise InputFileError(where, "no audio file")
    if not path.is_file():
        raise InputFileError(where, f"audio missing: {path}")
    text = " ".join((row.text or "").split())
    if not text:
        raise InputFileError(where, "transcript missing or empty")
    seconds, digest = _decode(path, row.span)
    if digest in seen:
        raise InputFileError(where, f"duplicate audio of {seen[digest]}")
    seen[digest] = where if row.span else str(path)
    return Clip(str(path), text, seconds, digest, row.span)


def _clips(pairs: Pairs, report: ClipReport, seen: dict[str, str]) -> list[Clip]:
    clips: list[Clip] = []
    for row in pairs:
        try:
            if row.problem is not None:
                raise InputFileError(row.where, row.problem)
            clips.append(_clip(row, seen))
        except InputFileError as exc:
            where, path = row.where, row.path
            named = (
                where if path is None or where.startswith(str(path)) else f"{where} ({path.name})"
            )
            report.skipped.append(Skipped(named, exc.reason))
    return clips


def _split_folders(root: Path) -> tuple[Path, Path] | None:
    subdirs = {p.name.lower(): p for p in root.iterdir() if p.is_dir()}
    train = next((subdirs[n] for n in TRAIN_NAMES if n in subdirs), None)
    val = next((subdirs[n] for n in VAL_NAMES if n in subdirs), None)
    return (train, val) if train and val else None


def scan_clips(root: str | Path, val_split: float = VAL_SPLIT, seed: int = 0) -> ClipReport:
    """Read a folder of clips and transcripts into a `ClipReport`."""
    root = Path(root).expanduser()
    report = ClipReport(str(root))
    if not root.is_dir():
        report.errors.append(f"{root} is not a folder of audio clips with transcripts")
        return report
    seen: dict[str, str] = {}
    folders = _split_folders(root)
    train_table, val_table = _named_tables(root)
    if folders is not None:
        report.split = "folders"
        report.layout, train_pairs = _pairs(folders[0])
        report.train = _clips(train_pairs, report, seen)
        report.val = _clips(_pairs(folders[1])[1], report, seen)
    elif train_table and val_table:
        report.split, report.layout = "folders", "train and validation tables"
        report.train = _clips(_table_pairs(train_table), report, seen)
        report.val = _clips(_table_pairs(val_table), report, seen)
    else:
        report.layout, pairs = _pairs(root)
        report.train, report.val = seeded_split(_clips(pairs, report, seen), val_split, seed)
    if len(report.clips) < MIN_CLIPS:
        report.errors.append(
            f"{len(report.clips)} usable clips; training needs at least {MIN_CLIPS} "
            "(audio files, each with its transcript)"
        )
    return report


def scan_clips_job(
    request: Scan, *, cancel: CancelToken | None = None
) -> Generator[Event, None, ClipReport]:
    """`scan_clips` as a job, for the wizard's worker: every clip is decoded."""
    yield Activity(f"Checking {request.root}…")
    return scan_clips(request.root, request.val_split, request.seed)
