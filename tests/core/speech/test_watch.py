"""Folder watch: each recording transcribed once into every format, files still being
written waited for, a failure noted and not retried, a restart doing nothing twice."""

from __future__ import annotations

import shutil
import threading
import time
from pathlib import Path

import pytest

from fmstudio.core import loading
from fmstudio.core.errors import Cancelled, InputFileError
from fmstudio.core.events import CancelToken, Log, run_to_end
from fmstudio.core.speech import watch
from fmstudio.core.speech.events import FileDone
from fmstudio.core.speech.requests import WatchFolder
from fmstudio.core.speech.watch import Ledger, outputs, watch_folder


@pytest.fixture
def model():
    return loading.cached_load("whisper-tiny.en", "speech")


@pytest.fixture(autouse=True)
def quick(monkeypatch):
    monkeypatch.setattr(watch, "SETTLE_S", 0.3)
    monkeypatch.setattr(watch, "POLL_S", 0.1)


def _events(request: WatchFolder, cancel: CancelToken | None = None) -> list:
    job = watch_folder(request, cancel=cancel)
    seen = []
    try:
        while True:
            seen.append(next(job))
    except StopIteration as stop:
        seen.append(stop.value)
    return seen


def _done(events: list) -> list[str]:
    return [Path(e.transcript.path).name for e in events if isinstance(e, FileDone)]


def test_each_file_once_into_every_format_and_a_failure_once(tmp_path, speech_wav, model):
    folder = tmp_path / "in"
    (folder / "sub").mkdir(parents=True)
    shutil.copy(speech_wav[0], folder / "fox.wav")
    shutil.copy(speech_wav[0], folder / "sub" / "fox.wav")
    (folder / "broken.mp3").write_bytes(b"not audio")
    (folder / ".hidden.wav").write_bytes(b"ignored")
    out = tmp_path / "out"
    request = WatchFolder(str(folder), str(out), ("srt", "txt"), model, once=True)
    events = _events(request)
    assert sorted(_done(events)) == ["broken.mp3", "fox.wav", "fox.wav"]
    assert events[-1] == 2
    assert "lazy dog" in (out / "fox.txt").read_text().lower()
    assert (out / "sub" / "fox.srt").read_text().startswith("1\n00:00:00")
    warnings = [e.message for e in events if isinstance(e, Log) and e.level == "warning"]
    assert len(warnings) == 1 and "broken.mp3" in warnings[0] and "not tried again" in warnings[0]
    again = _events(request)  # a restart: nothing to do twice, the failure not retried
    assert _done(again) == [] and again[-1] == 0
    (folder / "broken.mp3").write_bytes(b"still not audio, but changed")
    assert _done(_events(request)) == ["broken.mp3"]  # a changed file is a new file


def test_a_file_still_being_written_is_waited_for(tmp_path, speech_wav, model):
    folder = tmp_path / "in"
    folder.mkdir()
    data = Path(speech_wav[0]).read_bytes()
    target = folder / "growing.wav"
    piece = len(data) // 6
    target.write_bytes(data[:piece])  # a copy has begun when the watch starts

    def write_slowly() -> None:
        with open(target, "ab") as f:
            for i in range(piece, len(data), piece):
                time.sleep(0.15)  # under SETTLE_S: each pause looks like a file in progress
                f.write(data[i : i + piece])
                f.flush()

    writer = threading.Thread(target=write_slowly)
    writer.start()
    events = _events(WatchFolder(str(folder), formats=("txt",), model=model, once=True))
    writer.join()
    assert _done(events) == ["growing.wav"]
    assert "lazy dog" in (folder / "growing.txt").read_text().lower()


def test_transcripts_written_before_a_crash_count_as_done(tmp_path, speech_wav, model):
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(speech_wav[0], folder / "fox.wav")
    (folder / "fox.srt").write_text("made before the ledger noted it")
    request = WatchFolder(str(folder), formats=("srt",), model=model, once=True)
    assert _done(_events(request)) == []
    assert Ledger(folder).known(folder / "fox.wav", watch.Stamp.of(folder / "fox.wav"))


def test_two_recordings_with_one_name_keep_two_transcripts(tmp_path):
    (tmp_path / "talk.wav").write_bytes(b"x")
    (tmp_path / "talk.mp3").write_bytes(b"x")
    (tmp_path / "solo.wav").write_bytes(b"x")
    request = WatchFolder(str(tmp_path), formats=("srt",))
    assert outputs(request, tmp_path / "talk.wav") == [tmp_path / "talk.wav.srt"]
    assert outputs(request, tmp_path / "solo.wav") == [tmp_path / "solo.srt"]


def test_a_stop_ends_the_watch_at_once_and_bad_requests_are_named(tmp_path, model):
    cancel = CancelToken()
    threading.Timer(0.5, cancel.cancel).start()
    started = time.monotonic()
    with pytest.raises(Cancelled):
        run_to_end(watch_folder(WatchFolder(str(tmp_path), model=model), cancel=cancel))
    assert time.monotonic() - started < 3
    with pytest.raises(InputFileError, match="no such folder"):
        run_to_end(watch_folder(WatchFolder(str(tmp_path / "gone"), model=model)))


def test_a_link_to_a_recording_elsewhere_is_transcribed_beside_the_link(
    tmp_path, speech_wav, model
):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "linked.wav").symlink_to(speech_wav[0])  # the file itself lives elsewhere
    events = _events(WatchFolder(str(folder), formats=("txt",), model=model, once=True))
    assert _done(events) == ["linked.wav"]
    assert "lazy dog" in (folder / "linked.txt").read_text().lower()
