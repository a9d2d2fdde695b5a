"""The CLI's progress lines: the whole job's ETA, and lines in a log file too."""

from __future__ import annotations

import io

import pytest

from fmstudio.cli import progress
from fmstudio.cli.progress import ProgressDisplay
from fmstudio.core.events import Progress


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    fake = Clock()
    monkeypatch.setattr(progress.time, "monotonic", fake)
    return fake


def test_the_eta_is_the_whole_jobs_not_the_current_files(clock: Clock) -> None:
    """ "[######....] 20% ETA 00:00" stood while 15 minutes remained: a file's own ETA."""
    stream = io.StringIO()
    show = ProgressDisplay(stream)
    show(Progress(0.0, "first.wav"))
    clock.now += 60
    show(Progress(0.2, "first.wav", eta_s=0.0))  # the first of five files is done
    assert stream.getvalue().splitlines()[-1].startswith("[######")
    assert "ETA 04:00" in stream.getvalue().splitlines()[-1]


def test_a_log_file_gets_a_line_every_few_seconds_and_at_each_tenth(clock: Clock) -> None:
    """`text classify 2> log` printed nothing for minutes: a line came only when the percent
    landed exactly on a tenth, which batches of 32 rows over 1,000 skip."""
    stream = io.StringIO()
    show = ProgressDisplay(stream)
    for done in range(0, 1001, 32):
        show(Progress(done / 1000, "rows", done, 1000))
        clock.now += 1.0
    lines = stream.getvalue().splitlines()
    tenths = {int(line.split("%")[0].split("]")[1]) // 10 for line in lines}
    assert tenths >= {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}
    assert len(lines) >= 32 / progress.PLAIN_EVERY_S  # 32 s of work: a line every 5 s at least
