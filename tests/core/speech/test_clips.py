"""The speech dataset scan: every layout people have, and a reason for every clip left out."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest

from fmstudio.core.speech.clips import MIN_CLIPS, scan_clips
from tests.datasets import SPOKEN, espeak, write_tone


def _reasons(report) -> dict[str, str]:
    return {Path(s.path).name: s.reason for s in report.skipped}


def test_audiofolder_metadata_is_read_with_a_seeded_split(clip_folder: Path) -> None:
    report = scan_clips(clip_folder, val_split=0.25, seed=3)
    assert report.ok, report.errors
    assert report.layout == "audiofolder metadata"
    assert len(report.train) == 9 and len(report.val) == 3
    texts = {Path(c.path).name: c.text for c in report.clips}
    assert texts["clip00.wav"] == SPOKEN[0]
    assert all(1.0 < c.seconds < 6.0 for c in report.clips)
    again = scan_clips(clip_folder, val_split=0.25, seed=3)
    assert [c.path for c in again.val] == [c.path for c in report.val]
    assert "minutes of audio" in report.summary()


def test_same_stem_txt_files_and_train_test_folders(tmp_path: Path, clip_folder: Path) -> None:
    for i, wav in enumerate(sorted(clip_folder.glob("*.wav"))):
        split = "test" if i < 3 else "train"
        (tmp_path / split).mkdir(exist_ok=True)
        shutil.copy(wav, tmp_path / split / wav.name)
        (tmp_path / split / wav.with_suffix(".txt").name).write_text(SPOKEN[i] + "\n")
    report = scan_clips(tmp_path)
    assert report.ok, report.errors
    assert report.split == "folders" and report.layout.startswith("a transcript (.txt")
    assert len(report.train) == 9 and len(report.val) == 3
    assert {Path(c.path).parent.name for c in report.val} == {"test"}


def test_common_voice_tables_in_another_encoding(tmp_path: Path, clip_folder: Path) -> None:
    clips = tmp_path / "clips"
    clips.mkdir()
    rows = []
    for i, wav in enumerate(sorted(clip_folder.glob("*.wav"))):
        shutil.copy(wav, clips / wav.name)
        rows.append((wav.name, SPOKEN[i].replace("Siobhan", "Siobhán")))
    for name, part in (("train.tsv", rows[:10]), ("dev.tsv", rows[10:])):
        with open(tmp_path / name, "w", newline="", encoding="cp1252") as f:
            writer = csv.writer(f, dialect="excel-tab")
            writer.writerow(["client_id", "path", "sentence"])
            writer.writerows(("x", path, text) for path, text in part)
    report = scan_clips(tmp_path)
    assert report.ok, report.errors
    assert report.split == "folders" and len(report.train) == 10 and len(report.val) == 2
    assert any(c.text.startswith("Siobhán will") for c in report.clips)


def test_bad_rows_are_skipped_with_their_reason(tmp_path: Path, clip_folder: Path) -> None:
    for wav in clip_folder.glob("*.wav"):
        shutil.copy(wav, tmp_path / wav.name)
    write_tone(tmp_path / "long.wav", 40)
    write_tone(tmp_path / "quiet.wav", 2, amplitude=0.0)
    (tmp_path / "broken.wav").write_bytes(b"RIFF not really a wave file")
    shutil.copy(tmp_path / "clip00.wav", tmp_path / "again.wav")
    espeak(tmp_path / "blank.wav", "nothing to say")
    rows = [[f"clip{i:02d}.wav", SPOKEN[i]] for i in range(12)] + [
        ["long.wav", "a tone"],
        ["quiet.wav", "silence"],
        ["broken.wav", "broken"],
        ["again.wav", "a copy"],
        ["blank.wav", "   "],
        ["gone.wav", "a file that is not there"],
    ]
    with open(tmp_path / "metadata.csv", "w", newline="") as f:
        csv.writer(f).writerows([["file_name", "text"], *rows])
    report = scan_clips(tmp_path)
    assert report.ok and len(report.clips) == 12
    by_row = {r.path.split("#")[-1].split()[0]: r.reason for r in report.skipped}
    assert "longer than Whisper's 30 s" in by_row["13"]
    assert "silent" in by_row["14"]
    assert "not a readable audio file" in by_row["15"]
    assert "duplicate audio of" in by_row["16"] and "clip00.wav" in by_row["16"]
    assert "transcript missing or empty" in by_row["17"]
    assert "audio missing" in by_row["18"] and "gone.wav" in by_row["18"]
    assert "skipped metadata.csv#13 (long.wav): 40 s is longer" in report.summary()


def test_too_few_clips_is_a_clear_refusal(tmp_path: Path, clip_folder: Path) -> None:
    for wav in sorted(clip_folder.glob("*.wav"))[:4]:
        shutil.copy(wav, tmp_path / wav.name)
        (tmp_path / wav.with_suffix(".txt").name).write_text("words")
    espeak(tmp_path / "untranscribed.wav", "no text file")
    report = scan_clips(tmp_path)
    assert not report.ok
    assert f"4 usable clips; training needs at least {MIN_CLIPS}" in report.errors[0]
    assert "no transcript" in _reasons(report)["untranscribed.wav"]
    missing = scan_clips(tmp_path / "nowhere")
    assert "is not a folder" in missing.errors[0]


def _long_recording(folder: Path, clip_folder: Path, timed_suffix: str) -> list[tuple]:
    """The twelve clips joined into one recording (~60 s) with a timed transcript."""
    import wave

    import numpy as np

    from fmstudio.core.data.audio import load_audio
    from fmstudio.core.speech.transcripts import Segment, Transcript
    from fmstudio.core.speech.writers import to_srt, to_vtt

    pieces, segments, at = [], [], 0.0
    gap = np.zeros(4_000, dtype=np.float32)
    for i, wav in enumerate(sorted(clip_folder.glob("*.wav"))):
        audio = load_audio(wav)
        segments.append(Segment(at, at + audio.size / 16_000, SPOKEN[i]))
        pieces += [audio, gap]
        at += (audio.size + gap.size) / 16_000
    samples = (np.concatenate(pieces) * 32767).astype("<i2")
    with wave.open(str(folder / "meeting.wav"), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(16_000)
        w.writeframes(samples.tobytes())
    write = to_srt if timed_suffix == ".srt" else to_vtt
    transcript = Transcript("meeting.wav", segments=segments)
    (folder / f"meeting{timed_suffix}").write_text(write(transcript), encoding="utf-8")
    return segments


@pytest.mark.parametrize("suffix", [".srt", ".vtt"])
def test_a_long_recording_with_timed_transcript_is_cut_at_cues(
    tmp_path: Path, clip_folder: Path, suffix: str
) -> None:
    from fmstudio.core.speech.clips import clip_audio

    segments = _long_recording(tmp_path, clip_folder, suffix)
    for i in range(8):  # more recordings so that the dataset has enough clips
        shutil.copy(clip_folder / f"clip{i:02d}.wav", tmp_path / f"short{i}.wav")
        (tmp_path / f"short{i}.txt").write_text(SPOKEN[i])
    report = scan_clips(tmp_path)
    assert report.ok, report.errors
    pieces = sorted((c for c in report.clips if c.span), key=lambda c: c.span)
    assert len(pieces) >= 2 and all(c.seconds <= 30 for c in pieces)
    assert " ".join(c.text for c in pieces) == " ".join(s.text for s in segments)
    assert pieces[0].span[0] == pytest.approx(0.0, abs=0.01)
    assert pieces[-1].span[1] == pytest.approx(segments[-1].end, abs=0.01)
    assert clip_audio(pieces[1]).size == pytest.approx(pieces[1].seconds * 16_000, abs=1)
