"""Voice profiles: a speaker named once is named again, by voice, in later recordings.

A profile holds a voice vector only (the unit mean of the speaker encoder's vectors over the
enrolled speech, weighted by seconds), never audio: one small JSON file per voice in the data
folder beside the models, written atomically. A file that cannot be read is reported and
skipped; the others still name their speakers.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from fmstudio.core import paths
from fmstudio.core.atomic import atomic_write_text
from fmstudio.core.errors import FmError

NAMED_AT = 0.86
"""A speaker at least this like an enrolled voice (cosine) is given its name. Measured on
the AMI meeting clips (benchmarks/voice_profiles.py prints it): one person across two clips
0.73–0.93; two people 0.50–0.84, all 184 pairs under 0.86."""
MAYBE_AT = 0.78
"""Between this and NAMED_AT a speaker keeps its number and shows the likely name."""


@dataclass(frozen=True)
class Voice:
    name: str
    vector: np.ndarray
    """Unit length."""
    seconds: float
    """Speech it was made from: a merge weighs each side by it."""

    def to_json(self) -> dict[str, object]:
        return {
            "name": self.name,
            "seconds": round(self.seconds, 2),
            "vector": [round(float(x), 6) for x in self.vector],
        }


def unit(vector: np.ndarray) -> np.ndarray:
    norm = float(np.linalg.norm(vector))
    if not np.isfinite(norm) or norm < 1e-9:
        raise ValueError("a voice vector must be finite and non-zero")
    result: np.ndarray = (vector / norm).astype(np.float32)
    return result


def combined(a: Voice, b: Voice, name: str) -> Voice:
    """One voice from two, each weighted by the speech it was made from."""
    seconds = a.seconds + b.seconds
    mean = (a.vector * a.seconds + b.vector * b.seconds) / max(seconds, 1e-9)
    return Voice(name, unit(mean), seconds)


def _file_name(name: str) -> str:
    """Readable, safe on every file system, and one file per name whatever its case."""
    key = name.strip().casefold()
    slug = re.sub(r"[^\w-]+", "_", key).strip("_")[:40] or "voice"
    return f"{slug}-{hashlib.sha1(key.encode()).hexdigest()[:8]}.json"


def _read(path: Path) -> Voice:
    data = json.loads(path.read_text(encoding="utf-8"))
    vector = np.asarray(data["vector"], dtype=np.float32)
    if vector.ndim != 1 or not str(data["name"]).strip():
        raise ValueError("no name or no vector")
    return Voice(str(data["name"]), unit(vector), float(data.get("seconds", 0.0)))


class VoiceLibrary:
    """The enrolled voices in `folder` (the data folder's `voices` unless given)."""

    def __init__(self, folder: Path | None = None) -> None:
        self.folder = folder or paths.data_dir() / "voices"

    def load(self) -> tuple[list[Voice], list[str]]:
        """The voices, by name, and a line for each file that could not be read."""
        voices: list[Voice] = []
        problems: list[str] = []
        for path in sorted(self.folder.glob("*.json")) if self.folder.is_dir() else ():
            try:
                voices.append(_read(path))
            except (OSError, ValueError, KeyError, TypeError) as exc:
                problems.append(f"{path}: not a voice profile ({exc}); skipped")
        return sorted(voices, key=lambda v: v.name.casefold()), problems

    def voices(self) -> list[Voice]:
        return self.load()[0]

    def get(self, name: str) -> Voice | None:
        path = self.folder / _file_name(name)
        try:
            return _read(path) if path.is_file() else None
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise FmError(f"{path}: not a voice profile ({exc})") from exc

    def add(self, name: str, vector: np.ndarray, seconds: float) -> Voice:
        """Enrol speech under `name`; a known name learns it on top of what it had."""
        name = _checked(name)
        voice = Voice(name, unit(np.asarray(vector, dtype=np.float32)), float(seconds))
        known = self.get(name)
        return self._save(combined(known, voice, known.name) if known else voice)

    def remove(self, name: str) -> None:
        path = self.folder / _file_name(name)
        if not path.is_file():
            raise FmError(f"no voice named {name!r}")
        path.unlink()

    def rename(self, old: str, new: str) -> Voice:
        """`old` under the name `new`; when `new` is a voice already, the two become one."""
        voice = self._known(old)
        renamed = Voice(_checked(new), voice.vector, voice.seconds)
        if _file_name(new) == _file_name(old):
            return self._save(renamed)
        other = self.get(new)
        saved = self._save(combined(other, voice, other.name) if other else renamed)
        self.remove(old)
        return saved

    def merge(self, into: str, other: str) -> Voice:
        """`other`'s speech joins `into`'s profile, and `other` is gone."""
        self._known(into)
        self._known(other)
        return self.rename(other, into)

    def _known(self, name: str) -> Voice:
        voice = self.get(name)
        if voice is None:
            raise FmError(f"no voice named {name!r}")
        return voice

    def _save(self, voice: Voice) -> Voice:
        atomic_write_text(self.folder / _file_name(voice.name), json.dumps(voice.to_json()))
        return voice


NUMBERED = re.compile(r"Speaker \d+(?: \(maybe (?P<maybe>.+)\?\))?")
"""How fmstudio labels a speaker it has no sure name for."""


def maybe_name(label: str) -> str | None:
    """ "Ana" for "Speaker 2 (maybe Ana?)"; None for any other label."""
    found = NUMBERED.fullmatch(label)
    return found["maybe"] if found else None


def is_numbered(label: str) -> bool:
    return NUMBERED.fullmatch(label) is not None


def _checked(name: str) -> str:
    name = name.strip()
    if not name:
        raise FmError("a voice needs a name")
    if is_numbered(name):
        raise FmError(f"{name!r} is how fmstudio numbers unnamed speakers; choose a name")
    return name


@dataclass(frozen=True)
class Match:
    speaker: int
    voice: Voice
    similarity: float


def match_voices(speakers: np.ndarray, voices: Sequence[Voice]) -> list[Match]:
    """Each speaker (rows of unit vectors) with the enrolled voice most like it, at
    MAYBE_AT or above; one voice names one speaker at most, the most alike first (in one
    recording, two speakers are two people)."""
    if not voices or not len(speakers):
        return []
    alike = speakers @ np.stack([v.vector for v in voices]).T
    matches: list[Match] = []
    while alike.size and (best := float(alike.max())) >= MAYBE_AT:
        s, v = np.unravel_index(int(alike.argmax()), alike.shape)
        matches.append(Match(int(s), voices[int(v)], best))
        alike[s, :] = -1.0
        alike[:, v] = -1.0
    return matches
