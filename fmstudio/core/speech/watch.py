"""Folder watch: every new audio or video file in a folder is transcribed once, into the
chosen formats, for as long as the watch runs.

A file is taken once its size and modification time have stood still for SETTLE_S (a copy
or a recording still being written is waited for). What was done is kept in a ledger, one
JSON file per watched folder in the data folder, so a watch started again (after a stop, a
crash or a restart of the app) neither transcribes a file twice nor retries one that failed:
a file is tried again only when it changes. A file whose transcripts all exist, newer than
it, counts as done even when the ledger missed it (stopped between the write and the note).
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Generator
from dataclasses import dataclass
from pathlib import Path

from fmstudio.core import paths
from fmstudio.core.atomic import atomic_write_text
from fmstudio.core.data.audio import load_audio
from fmstudio.core.data.suffixes import AUDIO_SUFFIXES
from fmstudio.core.errors import FmError, InputFileError
from fmstudio.core.events import Activity, CancelToken, Event, Log
from fmstudio.core.speech.events import FileDone, FileStarted
from fmstudio.core.speech.models import SpeechModel
from fmstudio.core.speech.requests import WatchFolder
from fmstudio.core.speech.transcribe import load_speech_model, transcribe_audio
from fmstudio.core.speech.transcripts import Transcript
from fmstudio.core.speech.writers import FORMATS, render

SETTLE_S = 2.0
"""A file unchanged this long is written: a copy over a network share pauses for less."""
POLL_S = 0.5


@dataclass(frozen=True)
class Stamp:
    """What a file was when it was seen: a change to either means a new file."""

    size: int
    mtime: float

    @classmethod
    def of(cls, path: Path) -> Stamp:
        stat = path.stat()
        return cls(stat.st_size, stat.st_mtime)


class Ledger:
    """Which files of a watched folder were done or failed, as they were then."""

    def __init__(self, folder: Path) -> None:
        self.root = folder
        """As the watch lists it: files are keyed by their place under it."""
        self.folder = folder.resolve()
        key = hashlib.sha1(str(self.folder).encode()).hexdigest()[:16]
        self.path = paths.data_dir() / "watch" / f"{key}.json"
        self.entries: dict[str, dict[str, object]] = self._read()

    def _read(self) -> dict[str, dict[str, object]]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):  # none yet; a broken one costs a second pass, not a crash
            return {}
        entries = data.get("files", {}) if isinstance(data, dict) else {}
        return entries if isinstance(entries, dict) else {}

    def known(self, path: Path, stamp: Stamp) -> bool:
        entry = self.entries.get(self._key(path)) or {}
        return entry.get("size") == stamp.size and entry.get("mtime") == stamp.mtime

    def note(self, path: Path, stamp: Stamp, error: str | None = None) -> None:
        self.entries[self._key(path)] = {"size": stamp.size, "mtime": stamp.mtime, "error": error}
        data = {"folder": str(self.folder), "files": self.entries}
        atomic_write_text(self.path, json.dumps(data, indent=1, ensure_ascii=False))

    def _key(self, path: Path) -> str:
        return str(path.relative_to(self.root))


def outputs(request: WatchFolder, path: Path) -> list[Path]:
    """Where `path`'s transcripts go: beside it, or under the output folder at the same place."""
    place = path.parent
    if request.output_dir:
        place = Path(request.output_dir) / place.relative_to(Path(request.folder).expanduser())
    twins = [p for p in path.parent.glob(f"{path.stem}.*") if p.suffix.lower() in AUDIO_SUFFIXES]
    stem = path.name if len(twins) > 1 else path.stem  # talk.mp3 and talk.wav: two transcripts
    return [place / f"{stem}.{fmt}" for fmt in request.formats]


def _media(folder: Path) -> list[tuple[Path, Stamp]]:
    """The audio and video files under `folder` with their stamps, oldest first (hidden
    ones left out, and any gone since the listing)."""
    found = []
    for path in folder.rglob("*"):
        hidden = any(part.startswith(".") for part in path.relative_to(folder).parts)
        if hidden or path.suffix.lower() not in AUDIO_SUFFIXES or not path.is_file():
            continue
        try:
            found.append((path, Stamp.of(path)))
        except OSError:
            continue
    return sorted(found, key=lambda item: (item[1].mtime, str(item[0])))


class Settling:
    """Files seen but not yet ready: each with its stamp and when that stamp was first seen."""

    def __init__(self) -> None:
        self.seen: dict[Path, tuple[Stamp, float]] = {}

    def ready(self, path: Path, stamp: Stamp, now: float) -> bool:
        before = self.seen.get(path)
        if before is None or before[0] != stamp:
            self.seen[path] = (stamp, now)
            return False
        return now - before[1] >= SETTLE_S


def watch_folder(
    request: WatchFolder, *, cancel: CancelToken | None = None
) -> Generator[Event, None, int]:
    """Watch until cancelled (or, with `once`, until nothing is left to do); the number of
    files transcribed."""
    cancel = cancel or CancelToken()
    folder = Path(request.folder).expanduser()
    if not folder.is_dir():
        raise InputFileError(folder, "no such folder to watch")
    bad = [f for f in request.formats if f not in FORMATS]
    if bad or not request.formats:
        raise FmError(f"transcript formats must be among {', '.join(FORMATS)}, not {bad}")
    model = yield from load_speech_model(request.model, request.device, cancel)
    ledger, settling, done = Ledger(folder), Settling(), 0
    yield Activity(f"Watching {folder} for new recordings…")
    while True:
        waiting = False
        for path, stamp in _media(folder):
            if ledger.known(path, stamp) or _written(request, path, stamp, ledger):
                continue
            if not settling.ready(path, stamp, time.monotonic()):
                waiting = True
                continue
            done += yield from _transcribe_one(model, request, path, stamp, ledger, cancel)
        if request.once and not waiting:
            return done
        cancel.sleep(POLL_S)


def _written(request: WatchFolder, path: Path, stamp: Stamp, ledger: Ledger) -> bool:
    """True (and noted) when every transcript of `path` exists and is newer than it."""
    targets = outputs(request, path)
    try:
        if all(t.stat().st_mtime >= stamp.mtime for t in targets):
            ledger.note(path, stamp)
            return True
    except OSError:
        return False
    return False


def _transcribe_one(
    model: SpeechModel,
    request: WatchFolder,
    path: Path,
    stamp: Stamp,
    ledger: Ledger,
    cancel: CancelToken,
) -> Generator[Event, None, int]:
    """1 when `path` was transcribed and written; a failure is reported and noted, once."""
    yield FileStarted(str(path))
    try:
        audio = load_audio(path)
        transcript = yield from transcribe_audio(model, audio, request.options, cancel, str(path))
        written = [_write(transcript, target) for target in outputs(request, path)]
    except (InputFileError, OSError) as exc:
        reason = exc.reason if isinstance(exc, InputFileError) else (exc.strerror or str(exc))
        ledger.note(path, stamp, reason)
        yield Log(f"{path.name}: {reason}; not tried again unless the file changes", "warning")
        yield FileDone(Transcript(str(path), error=reason))
        return 0
    ledger.note(path, stamp)
    yield Log(f"{path.name} → {', '.join(t.name for t in written)}")
    yield FileDone(transcript)
    return 1


def _write(transcript: Transcript, target: Path) -> Path:
    atomic_write_text(target, render(transcript, target.suffix.lstrip(".")))
    return target
