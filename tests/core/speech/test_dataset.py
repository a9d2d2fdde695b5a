"""Corrected transcript segments become an audiofolder dataset that the clip scan reads."""

from __future__ import annotations

import csv
import json
import wave
from pathlib import Path

import pytest

from fmstudio.core.errors import FmError
from fmstudio.core.speech.clips import scan_clips
from fmstudio.core.speech.dataset import SpokenClip, add_clips, clip_count, undo_clips
from tests.datasets import write_tone


def _frames(path: Path) -> int:
    with wave.open(str(path)) as w:
        assert (w.getframerate(), w.getnchannels()) == (16_000, 1)
        return w.getnframes()


def test_segments_are_cut_written_listed_and_undone(tmp_path: Path) -> None:
    source = write_tone(tmp_path / "talk.wav", 4.0)
    root = tmp_path / "voice"
    clips = [
        SpokenClip(str(source), 0.5, 1.5, " Hello there. "),
        SpokenClip(str(source), 1.5, 3.25, "General Kenobi."),
        SpokenClip(str(source), 3.3, 3.4, "too short"),
        SpokenClip(str(source), 2.0, 3.0, "  "),
        SpokenClip(str(tmp_path / "gone.wav"), 0.0, 1.0, "missing"),
    ]
    added = add_clips(root, clips)
    assert added.names == ["clips/talk-0000500ms.wav", "clips/talk-0001500ms.wav"]
    assert [reason for _, reason in added.skipped][:2] == [
        "0.10 s is too short to learn from",
        "no text",
    ]
    assert "file not found" in added.skipped[2][1]
    assert _frames(root / added.names[1]) == 28_000
    with (root / "metadata.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert rows == [
        {"file_name": "clips/talk-0000500ms.wav", "transcription": "Hello there."},
        {"file_name": "clips/talk-0001500ms.wav", "transcription": "General Kenobi."},
    ]
    report = scan_clips(root, val_split=0.0)
    assert sorted(c.text for c in report.clips) == ["General Kenobi.", "Hello there."]

    same = add_clips(root, clips[:1])
    assert (
        same.names == []
        and same.skipped[0][1] == "already in the dataset as clips/talk-0000500ms.wav"
    )
    again = add_clips(root, [SpokenClip(str(source), 0.5, 1.6, "Hello there, longer.")])
    assert again.names == ["clips/talk-0000500ms-2.wav"] and clip_count(root) == 3
    assert undo_clips(again) == 1 and clip_count(root) == 2
    assert not (root / "clips" / "talk-0000500ms-2.wav").exists()


def test_an_existing_jsonl_table_grows_and_other_layouts_are_refused(tmp_path: Path) -> None:
    source = write_tone(tmp_path / "a.wav", 2.0)
    root = tmp_path / "hf"
    root.mkdir()
    write_tone(root / "old.wav", 1.0)
    (root / "metadata.jsonl").write_text(json.dumps({"file_name": "old.wav", "text": "old"}) + "\n")
    add_clips(root, [SpokenClip(str(source), 0.0, 1.0, "new")])
    lines = [json.loads(x) for x in (root / "metadata.jsonl").read_text().splitlines()]
    assert lines == [
        {"file_name": "old.wav", "text": "old"},
        {"file_name": "clips/a-0000000ms.wav", "text": "new"},
    ]
    assert not (root / "metadata.csv").exists()

    pairs = tmp_path / "pairs"
    pairs.mkdir()
    write_tone(pairs / "x.wav", 1.0)
    (pairs / "x.txt").write_text("x")
    with pytest.raises(FmError, match="already holds audio"):
        add_clips(pairs, [SpokenClip(str(source), 0.0, 1.0, "new")])
    assert sorted(p.name for p in pairs.iterdir()) == ["x.txt", "x.wav"]
