"""Transcript export: plain text, SubRip (SRT), WebVTT and JSON."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from fmstudio.core.atomic import atomic_write_text
from fmstudio.core.speech.transcripts import Segment, Transcript

FORMATS = ("txt", "srt", "vtt", "json")


def timestamp(seconds: float, separator: str) -> str:
    """`HH:MM:SS,mmm` (SRT) or `HH:MM:SS.mmm` (VTT); negative times clamp to zero."""
    millis = max(0, round(seconds * 1000))
    hours, millis = divmod(millis, 3_600_000)
    minutes, millis = divmod(millis, 60_000)
    secs, millis = divmod(millis, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}{separator}{millis:03d}"


def _cues(segments: Sequence[Segment]) -> list[Segment]:
    """Non-empty cues whose end is after their start (players drop zero-length cues)."""
    cues = []
    for s in segments:
        text = " ".join(s.text.split())
        if text:
            end = max(s.end, s.start + 0.001)
            cues.append(Segment(s.start, end, text, s.speaker, s.spoken_words()))
    return cues


MIN_CUE_SECONDS = 0.8
"""The shortest subtitle a viewer can read (Netflix's guide: 5/6 s); Whisper wrote a 60 ms
"Great." cue."""


def _readable(cues: list[Segment]) -> list[Segment]:
    """Subtitle cues of at least MIN_CUE_SECONDS: a short cue lasts longer where the next one
    leaves room, else joins its neighbour of the same speaker (the one before, or after)."""
    out: list[Segment] = []
    carried: Segment | None = None  # a short cue waiting to join the next one
    for i, cue in enumerate(cues):
        if carried is not None and carried.speaker == cue.speaker:
            cue = _joined(carried, cue)
        elif carried is not None:
            out.append(carried)
        carried = None
        room = cues[i + 1].start if i + 1 < len(cues) else cue.start + MIN_CUE_SECONDS
        cue = replace(cue, end=max(cue.end, min(cue.start + MIN_CUE_SECONDS, room)))
        if cue.end - cue.start >= MIN_CUE_SECONDS - 1e-6:
            out.append(cue)
        elif out and out[-1].speaker == cue.speaker:
            out[-1] = _joined(out[-1], cue)
        else:
            carried = cue
    return out + ([carried] if carried is not None else [])


def _joined(first: Segment, second: Segment) -> Segment:
    words = first.words + second.words if first.words and second.words else ()
    return Segment(first.start, second.end, f"{first.text} {second.text}", first.speaker, words)


def _said(s: Segment) -> str:
    """`Name: text` when the segment has a speaker, else the text."""
    return f"{s.speaker}: {s.text}" if s.speaker else s.text


def to_txt(t: Transcript) -> str:
    return "\n".join(_said(s) for s in _cues(t.segments)) + "\n"


def to_srt(t: Transcript) -> str:
    blocks = [
        f"{i}\n{timestamp(s.start, ',')} --> {timestamp(s.end, ',')}\n{_said(s)}\n"
        for i, s in enumerate(_readable(_cues(t.segments)), start=1)
    ]
    return "\n".join(blocks)


def _vtt_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("-->", "→")


def _timed_words(cue: Segment) -> str:
    """The cue's text with each word after the first led by its start time (WebVTT's
    karaoke timestamps, which players use to show words as they are said), where the
    times rise strictly inside the cue; plain text when the cue has no word times."""
    words = cue.spoken_words()
    if not words:
        return _vtt_escape(cue.text)
    parts, last = [_vtt_escape(words[0].text.strip())], cue.start
    for word in words[1:]:
        text = _vtt_escape(word.text.strip())
        if last < word.start < cue.end:
            last = word.start
            text = f"<{timestamp(word.start, '.')}>{text}"
        parts.append(text)
    return " ".join(parts)


def to_vtt(t: Transcript) -> str:
    blocks = ["WEBVTT\n"]
    for s in _readable(_cues(t.segments)):
        text = _timed_words(s)
        if s.speaker:  # a voice span: players show the name, and it may hold spaces
            text = f"<v {_vtt_escape(s.speaker)}>{text}"
        blocks.append(f"{timestamp(s.start, '.')} --> {timestamp(s.end, '.')}\n{text}\n")
    return "\n".join(blocks)


def to_json(t: Transcript) -> str:
    return json.dumps(t.to_json(), indent=2, ensure_ascii=False) + "\n"


RENDER = {"txt": to_txt, "srt": to_srt, "vtt": to_vtt, "json": to_json}


def render(t: Transcript, fmt: str) -> str:
    if fmt not in RENDER:
        raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    return RENDER[fmt](t)


def export(t: Transcript, target: Path) -> None:
    """Write to `target` in the format its suffix names (plain text for any other), atomically."""
    fmt = target.suffix.lstrip(".").lower()
    atomic_write_text(target, render(t, fmt if fmt in FORMATS else "txt"))


class FolderWriter:
    """Writes transcripts into one folder as they come, `<stem>.<fmt>` each, atomically;
    equal stems get `-2`, `-3`…: a batch keeps every file done before a crash, a Ctrl-C or
    a full disk, and a failed write leaves no half-written file."""

    def __init__(self, fmt: str, out_dir: Path) -> None:
        self.fmt, self.out_dir = fmt, Path(out_dir)
        self.written: list[Path] = []

    def write(self, t: Transcript) -> Path:
        stem = Path(t.path).stem
        target, n = self.out_dir / f"{stem}.{self.fmt}", 2
        while target in self.written:
            target, n = self.out_dir / f"{stem}-{n}.{self.fmt}", n + 1
        atomic_write_text(target, render(t, self.fmt))
        self.written.append(target)
        return target


def write_all(transcripts: Sequence[Transcript], fmt: str, out_dir: Path) -> list[Path]:
    """Write each transcript as `<stem>.<fmt>` into `out_dir` (see `FolderWriter`)."""
    writer = FolderWriter(fmt, out_dir)
    for t in transcripts:
        writer.write(t)
    return writer.written
