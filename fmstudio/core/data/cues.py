"""Timed transcripts (SRT, WebVTT) beside a long recording, cut into Whisper-sized pieces.

A recording longer than Whisper's 30 s window can still train when its transcript says when
each line was spoken: consecutive cues are grouped into pieces of at most 30 s, each cut at
cue boundaries. The two formats differ only in a header and the decimal mark, so one small
parser reads both (fmstudio writes both, see `core/speech/writers.py`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

TIMED_SUFFIXES = (".srt", ".vtt")
_TIME = r"(?:(\d+):)?(\d{1,2}):(\d{2})[.,](\d{1,3})"
_CUE = re.compile(rf"^\s*{_TIME}\s*-->\s*{_TIME}")
_TAG = re.compile(r"<[^>]+>")


@dataclass(frozen=True)
class Cue:
    start: float
    end: float
    text: str


def _seconds(h: str | None, m: str, s: str, ms: str) -> float:
    return int(h or 0) * 3600 + int(m) * 60 + int(s) + int(ms.ljust(3, "0")) / 1000


def parse_cues(text: str) -> list[Cue]:
    """Every cue with its text (tags such as `<v Name>` removed); blocks without times are
    headers, notes or cue numbers and are skipped."""
    cues: list[Cue] = []
    for block in re.split(r"\n\s*\n", text.replace("\r\n", "\n")):
        lines = block.strip().splitlines()
        for i, line in enumerate(lines):
            match = _CUE.match(line)
            if match:
                g = match.groups()
                words = " ".join(_TAG.sub("", t).strip() for t in lines[i + 1 :])
                cues.append(Cue(_seconds(*g[:4]), _seconds(*g[4:]), " ".join(words.split())))
                break
    return cues


def group_cues(cues: list[Cue], limit: float) -> list[list[Cue]]:
    """Consecutive cues in groups that each span at most `limit` seconds. A cue longer than
    `limit` stays alone (the scan refuses it with the reason)."""
    groups: list[list[Cue]] = []
    for cue in cues:
        if groups and cue.end - groups[-1][0].start <= limit:
            groups[-1].append(cue)
        else:
            groups.append([cue])
    return groups
