"""Long files decode in 30-second pieces, batched, and read back as sentences."""

from __future__ import annotations

import itertools
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from fmstudio.core.data.audio import SAMPLE_RATE
from fmstudio.core.errors import Cancelled
from fmstudio.core.events import CancelToken, Log, Partial, run_to_end
from fmstudio.core.speech import long_files
from fmstudio.core.speech.models import bundled_folder, load_whisper
from fmstudio.core.speech.requests import SpeechOptions, Transcribe
from fmstudio.core.speech.scoring import score
from fmstudio.core.speech.transcribe import transcribe_files
from tests.datasets import PLAIN_SENTENCES

pytestmark = pytest.mark.slow  # real Whisper on real speech


def bursts(seconds: float, on: float = 3.7, off: float = 0.6) -> tuple[np.ndarray, list[tuple]]:
    """A tone that sounds for `on` seconds and pauses for `off`; the pauses' spans."""
    t = np.arange(int(seconds * SAMPLE_RATE)) / SAMPLE_RATE
    sounding = (t % (on + off)) < on
    audio = (0.2 * np.sin(2 * np.pi * 220 * t) * sounding).astype(np.float32)
    starts = np.arange(on, seconds, on + off)
    return audio, [(s, s + off) for s in starts]


def test_pieces_cover_the_audio_and_are_cut_in_pauses() -> None:
    audio, pauses = bursts(95.0)
    pieces = long_files.quiet_cuts(audio)
    assert pieces[0]["start"] == 0.0 and pieces[-1]["end"] == pytest.approx(95.0, abs=1e-3)
    for a, b in itertools.pairwise(pieces):
        assert a["end"] == b["start"], "nothing dropped between pieces"
    for piece in pieces:
        assert 0 < piece["end"] - piece["start"] <= long_files.PIECE_SECONDS
    for piece in pieces[:-1]:
        assert any(a < piece["end"] < b for a, b in pauses), f"cut in a word at {piece['end']}"
    assert pieces[0]["end"] > long_files.PIECE_SECONDS - 4.3, "as late as a pause allows"


def test_audio_without_pauses_is_still_cut_within_30_seconds() -> None:
    rng = np.random.default_rng(0)
    audio = (rng.standard_normal(70 * SAMPLE_RATE) * 0.1).astype(np.float32)
    pieces = long_files.quiet_cuts(audio)
    assert len(pieces) == 3
    assert all(p["end"] - p["start"] <= long_files.PIECE_SECONDS for p in pieces)


def test_pieces_split_into_sentences_by_word_times() -> None:
    said = [(0.0, 0.4, " Hello"), (0.4, 0.9, " there."), (1.5, 2.0, " Who"), (2.0, 2.2, " is?")]
    said.append((2.5, 3.0, " And"))
    piece = SimpleNamespace(words=[SimpleNamespace(start=a, end=b, word=w) for a, b, w in said])
    found = long_files.sentences(piece)
    assert [(s.start, s.end, s.text) for s in found] == [
        (0.0, 0.9, "Hello there."),
        (1.5, 2.2, "Who is?"),
        (2.5, 3.0, "And"),
    ]
    assert [len(s.words) for s in found] == [2, 2, 1]


def test_a_long_file_reads_as_sentences_with_the_sequential_words(
    long_speech: tuple[Path, str],
) -> None:
    path, reference = long_speech
    events: list = []
    job = transcribe_files(Transcribe((str(path),)))
    (result,) = run_to_end(job, events.append)
    assert any(isinstance(e, Log) and "in batches" in e.message for e in events)
    starts = [s.start for s in result.segments]
    enough = len(PLAIN_SENTENCES) // 2
    assert len(result.segments) >= enough, "one segment a sentence, not one a piece"
    assert starts == sorted(starts) and all(s.end - s.start < 15 for s in result.segments)
    assert all(not s.words for s in result.segments), "words only when asked for"

    whisper = load_whisper(str(bundled_folder()), "whisper-tiny.en").model
    sequential = " ".join(s.text for s in whisper.transcribe(str(path), beam_size=5)[0])
    ours, theirs = (score([str(path)], [reference], [t]).wer for t in (result.text, sequential))
    assert ours < 0.15 and ours <= theirs + 0.02, (ours, theirs)


def test_a_long_file_keeps_words_when_asked_and_stops_between_sentences(
    long_speech: tuple[Path, str],
) -> None:
    request = Transcribe((str(long_speech[0]),), options=SpeechOptions(word_timestamps=True))
    (result,) = run_to_end(transcribe_files(request))
    assert all(s.words and s.words[0].start == s.start for s in result.segments)

    token = CancelToken()

    def stop_at_first_sentence(event: object) -> None:
        if isinstance(event, Partial):
            token.cancel()

    with pytest.raises(Cancelled):
        run_to_end(transcribe_files(request, cancel=token), stop_at_first_sentence)
