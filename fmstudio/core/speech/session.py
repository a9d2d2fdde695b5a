"""The Speech tab's transcripts, kept across restarts: what was transcribed and corrected is
still listed when the app opens again (a user lost corrected segments to Ctrl+Q).

One JSON file in the data folder, written whole beside itself and renamed into place, so a
crash never leaves half of it. The audio is not kept: the files and recordings are on disk.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from pathlib import Path

from fmstudio.core import paths
from fmstudio.core.atomic import atomic_write_text
from fmstudio.core.speech.transcripts import Transcript

log = logging.getLogger(__name__)

KEPT = 100
"""The newest transcripts kept; older ones stay only in what the user exported."""
VERSION = 1


def session_file() -> Path:
    return paths.data_dir() / "transcripts.json"


def save_session(transcripts: Sequence[Transcript]) -> None:
    """Keep the newest `KEPT` transcripts as they are now, corrections included."""
    data = {"version": VERSION, "transcripts": [t.to_json() for t in transcripts[-KEPT:]]}
    target = session_file()
    target.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(target, json.dumps(data, ensure_ascii=False, indent=1))


def load_session() -> list[Transcript]:
    """The transcripts kept last time; none (and a line in the log) when the file is missing
    or unreadable: the tab opens empty rather than not at all."""
    target = session_file()
    if not target.is_file():
        return []
    try:
        data = json.loads(target.read_text(encoding="utf-8"))
        return [Transcript.from_json(t) for t in data["transcripts"]]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        log.warning("could not read the kept transcripts in %s: %s", target, exc)
        return []
