"""A speech dataset grown from corrected transcript segments, in the audiofolder layout.

Each segment's audio is cut from its recording or file and written as a 16 kHz WAV under
`DATASET/clips/`, and a row (`file_name`, transcription) is added to `DATASET/metadata.csv`
(or to the `metadata.jsonl` a dataset already has): the layout the speech fine-tuning reads.
The clips are written first and the table last, atomically, so a failure leaves no row without
its audio; an add can be undone.
"""

from __future__ import annotations

import csv
import io
import json
import wave
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from fmstudio.core.atomic import atomic_write_text
from fmstudio.core.data.audio import SAMPLE_RATE, load_audio
from fmstudio.core.data.suffixes import AUDIO_SUFFIXES
from fmstudio.core.errors import FmError, InputFileError
from fmstudio.core.placing import write_bytes_into
from fmstudio.core.speech.clips import MAX_SECONDS, TEXT_COLUMNS
from fmstudio.core.wording import plural

if TYPE_CHECKING:
    import numpy as np

MIN_SECONDS = 0.3
CLIPS = "clips"


@dataclass(frozen=True)
class SpokenClip:
    """A stretch of a recording and what is said in it (as the user corrected it)."""

    source: str
    start: float
    end: float
    text: str


@dataclass
class ClipsAdded:
    root: Path
    table: Path
    names: list[str] = field(default_factory=list)
    """The `file_name`s of the rows added (an undo removes these rows and files)."""
    skipped: list[tuple[SpokenClip, str]] = field(default_factory=list)

    def summary(self) -> str:
        text = f"Added {plural(len(self.names), 'clip')}"
        if self.skipped:
            clip, reason = self.skipped[0]
            text += f"; {len(self.skipped)} not added ({clip.start:.1f} s: {reason})"
        return text + "."


class _Table:
    """The dataset's metadata table: its rows, the name of its text column, and its format."""

    def __init__(self, root: Path) -> None:
        jsonl = root / "metadata.jsonl"
        self.path = (
            jsonl
            if jsonl.is_file() and not (root / "metadata.csv").is_file()
            else (root / "metadata.csv")
        )
        self.rows: list[dict[str, str]] = []
        if self.path.is_file():
            text = self.path.read_text(encoding="utf-8-sig")
            if self.path.suffix == ".jsonl":
                self.rows = [json.loads(line) for line in text.splitlines() if line.strip()]
            else:
                self.rows = list(csv.DictReader(io.StringIO(text, newline="")))
        columns = list(self.rows[0]) if self.rows else []
        self.text_column = next((c for c in columns if c.lower() in TEXT_COLUMNS), "transcription")
        self.columns = columns or ["file_name", self.text_column]

    def find(self, root: Path, data: bytes) -> str | None:
        """The `file_name` of a listed clip with exactly these bytes (sizes compared first)."""
        for row in self.rows:
            name = str(row.get("file_name", ""))
            path = root / name
            try:
                if path.stat().st_size == len(data) and path.read_bytes() == data:
                    return name
            except OSError:
                continue
        return None

    def save(self) -> None:
        if self.path.suffix == ".jsonl":
            text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in self.rows)
        else:
            out = io.StringIO()
            writer = csv.DictWriter(out, self.columns, restval="", lineterminator="\n")
            writer.writeheader()
            writer.writerows(self.rows)
            text = out.getvalue()
        atomic_write_text(self.path, text)


def wav_bytes(samples: np.ndarray) -> bytes:
    import numpy as np

    pcm = (np.clip(samples, -1.0, 1.0) * 32767).astype("<i2")
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(SAMPLE_RATE)
        w.writeframes(pcm.tobytes())
    return out.getvalue()


def _problem(clip: SpokenClip) -> str | None:
    seconds = clip.end - clip.start
    if not clip.text.strip():
        return "no text"
    if seconds < MIN_SECONDS:
        return f"{seconds:.2f} s is too short to learn from"
    if seconds > MAX_SECONDS:
        return f"{seconds:.0f} s is longer than Whisper's 30 s window"
    return None


def _check_layout(root: Path, table: _Table) -> None:
    """Refuse a folder of clips in another layout: a new metadata.csv would hide them."""
    if table.path.is_file() or not root.is_dir():
        return
    if any(p.suffix.lower() in AUDIO_SUFFIXES for p in root.rglob("*") if p.is_file()):
        raise FmError(
            f"{root} already holds audio without a metadata.csv or metadata.jsonl; choose an "
            "empty folder or an audiofolder dataset"
        )


def add_clips(
    root: str | Path, clips: Sequence[SpokenClip], audio: np.ndarray | None = None
) -> ClipsAdded:
    """Cut and write each clip and add its row; `audio` is the source's decoded samples when
    the caller has them (else each source is decoded here)."""
    root = Path(root).expanduser()
    table = _Table(root)
    _check_layout(root, table)
    added = ClipsAdded(root, table.path)
    decoded: dict[str, np.ndarray] = {}
    written: list[Path] = []
    for clip in clips:
        problem = _problem(clip)
        if problem is None:
            try:
                samples = audio if audio is not None else decoded.get(clip.source)
                if samples is None:
                    samples = decoded[clip.source] = load_audio(clip.source)
                piece = samples[round(clip.start * SAMPLE_RATE) : round(clip.end * SAMPLE_RATE)]
                data = wav_bytes(piece)
                same = table.find(root, data)
                if same is not None:
                    added.skipped.append((clip, f"already in the dataset as {same}"))
                    continue
                name = f"{Path(clip.source).stem}-{round(clip.start * 1000):07d}ms.wav"
                path = write_bytes_into(data, root / CLIPS, name)
            except (InputFileError, OSError) as exc:
                problem = exc.reason if isinstance(exc, InputFileError) else str(exc)
            else:
                written.append(path)
                file_name = f"{CLIPS}/{path.name}"
                table.rows.append({"file_name": file_name, table.text_column: clip.text.strip()})
                added.names.append(file_name)
                continue
        added.skipped.append((clip, problem))
    try:
        if added.names:
            table.save()
    except OSError:
        for path in written:
            path.unlink(missing_ok=True)
        raise
    return added


def undo_clips(added: ClipsAdded) -> int:
    """Remove the rows and clips an add made; return how many clips went."""
    table = _Table(added.root)
    names = set(added.names)
    table.rows = [r for r in table.rows if r.get("file_name") not in names]
    table.save()
    for name in names:
        (added.root / name).unlink(missing_ok=True)
    return len(names)


def clip_count(root: str | Path) -> int:
    """How many clips the dataset's table lists."""
    return len(_Table(Path(root).expanduser()).rows)
