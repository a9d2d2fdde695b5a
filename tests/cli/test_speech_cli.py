from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.checks import TRANSCRIPT_KEYS
from tests.cli.runner import fmstudio
from tests.datasets import alternating, make_conversation

pytestmark = pytest.mark.slow  # spawns the CLI


def test_transcribe_json_to_stdout(speech_wav: tuple[Path, str]) -> None:
    path, _ = speech_wav
    out = fmstudio("speech", "transcribe", str(path), "--format", "json", "--beam-size", "1")
    assert out.returncode == 0, out.stderr
    (data,) = json.loads(out.stdout)  # always a list, as classify --json prints
    assert set(data) == TRANSCRIPT_KEYS
    assert data["error"] is None
    assert data["language"] == "en"
    assert data["language_probability"] is None  # an English-only model detects nothing
    assert "lazy dog" in data["text"].lower()
    assert all(set(s) == {"start", "end", "text"} for s in data["segments"])


def test_speakers_in_srt(tmp_path: Path) -> None:
    path = tmp_path / "talk.wav"
    make_conversation(path, alternating()[:4])
    out = fmstudio("speech", "transcribe", str(path), "--speakers", "auto", "--format", "srt")
    assert out.returncode == 0, out.stderr
    said = [line.split(":")[0] for line in out.stdout.splitlines() if "Speaker" in line]
    assert said == ["Speaker 1", "Speaker 2", "Speaker 1", "Speaker 2"]
    assert "2 speakers found" in out.stderr


def test_speakers_and_task_are_checked(speech_wav: tuple[Path, str]) -> None:
    path, _ = speech_wav
    out = fmstudio("speech", "transcribe", str(path), "--speakers", "0")
    assert out.returncode == 2 and "must be from 1 to 20" in out.stderr
    out = fmstudio("speech", "transcribe", str(path), "--task", "translate")
    assert out.returncode != 0 and "English-only" in out.stderr
    assert "Traceback" not in out.stderr


def test_output_dir_and_exit_status_with_a_bad_file(
    speech_wav: tuple[Path, str], tmp_path: Path
) -> None:
    bad = tmp_path / "broken.wav"
    bad.write_bytes(b"RIFF....WAVEfmt garbage")
    out_dir = tmp_path / "subs"
    out = fmstudio(
        "speech",
        "transcribe",
        str(bad),
        str(speech_wav[0]),
        "--format",
        "srt",
        "--output-dir",
        str(out_dir),
    )
    assert out.returncode == 2
    assert "broken.wav" in out.stderr and "not a readable audio file" in out.stderr
    srt = (out_dir / f"{speech_wav[0].stem}.srt").read_text()
    assert srt.startswith("1\n00:00:00,000 --> ")
    assert not (out_dir / "broken.srt").exists()


def test_json_lists_failed_files_with_their_error(
    speech_wav: tuple[Path, str], tmp_path: Path
) -> None:
    bad = tmp_path / "broken.wav"
    bad.write_bytes(b"RIFF....WAVEfmt garbage")
    out = fmstudio(
        "speech", "transcribe", str(bad), str(speech_wav[0]), "--format", "json", "--beam-size", "1"
    )
    assert out.returncode == 2
    failed, good = json.loads(out.stdout)
    assert failed["path"] == str(bad) and "not a readable audio file" in failed["error"]
    assert failed["text"] == "" and failed["segments"] == []
    assert good["error"] is None and "lazy dog" in good["text"].lower()


def test_output_dir_writes_each_file_as_it_is_done(
    speech_wav: tuple[Path, str], tmp_path: Path
) -> None:
    """Over 42 files every transcript was written at the very end: Ctrl-C at 95 % lost all."""
    import signal
    import subprocess

    from tests.cli.runner import command

    long = tmp_path / "long.wav"  # about 5 minutes: still being transcribed after Ctrl-C
    subprocess.run(["sox", *[str(speech_wav[0])] * 100, str(long)], check=True)
    out_dir = tmp_path / "subs"
    args = ("speech", "transcribe", str(speech_wav[0]), str(long), "--output-dir", str(out_dir))
    process = subprocess.Popen(
        command(*args),
        stderr=subprocess.PIPE,
        text=True,
        # a suite started in the background (`make test &`) ignores SIGINT, and so would the
        # child: Python then never raises KeyboardInterrupt and the job runs to the end
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    assert process.stderr is not None
    before: list[str] = []
    try:
        for line in process.stderr:
            if line.startswith("wrote"):
                break
            before.append(line)
        assert not any("100%" in line for line in before)  # written before the batch ended
        assert process.poll() is None  # the first file is on disk while the second runs
        assert (out_dir / f"{speech_wav[0].stem}.txt").read_text().strip()
        process.send_signal(signal.SIGINT)
        process.wait(timeout=60)
    finally:
        process.kill()
    assert process.returncode != 0
    assert (out_dir / f"{speech_wav[0].stem}.txt").is_file()
    assert sorted(p.name for p in out_dir.iterdir()) == [f"{speech_wav[0].stem}.txt"]


def test_watch_stopped_and_started_again_transcribes_each_file_once(
    speech_wav: tuple[Path, str], tmp_path: Path
) -> None:
    """Files dropped at once, Ctrl-C after the first transcript, then --once: each file
    transcribed by exactly one of the two runs, every transcript whole."""
    import shutil
    import signal
    import subprocess

    from tests.cli.runner import command

    folder = tmp_path / "calls"
    folder.mkdir()
    args = ("speech", "watch", str(folder), "--format", "txt", "json")
    process = subprocess.Popen(
        command(*args),
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),  # see above
    )
    assert process.stderr is not None
    for i in range(5):
        shutil.copy(speech_wav[0], folder / f"call{i}.wav")
    first: list[str] = []
    try:
        for line in process.stderr:
            if " → " in line:
                first.append(line.split(" → ")[0])
                process.send_signal(signal.SIGINT)
                break
        _, rest = process.communicate(timeout=60)
    finally:
        process.kill()
    first += [line.split(" → ")[0] for line in rest.splitlines() if " → " in line]
    again = fmstudio(*args, "--once")
    assert again.returncode == 0, again.stderr
    second = [line.split(" → ")[0] for line in again.stderr.splitlines() if " → " in line]
    assert 1 <= len(first) < 5
    assert sorted(first + second) == [f"call{i}.wav" for i in range(5)]
    for i in range(5):
        assert "lazy dog" in (folder / f"call{i}.txt").read_text().lower()
        assert json.loads((folder / f"call{i}.json").read_text())["error"] is None
    assert not [p for p in folder.iterdir() if p.name.startswith(".")]
