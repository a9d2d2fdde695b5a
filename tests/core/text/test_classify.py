"""The text classify job with the real MiniLM and with a tiny fine-tuned model built here."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from fmstudio.core.errors import Cancelled, FmError
from fmstudio.core.events import CancelToken, Partial, run_to_end
from fmstudio.core.text import parse_labels
from fmstudio.core.text.classify import chunk_ids, classify_texts
from fmstudio.core.text.requests import ClassifyTexts

LABELS = "sports, politics, cooking, technology"
CLEAR = {
    "sports": "The striker scored twice and the team won the cup final.",
    "politics": "Parliament passed the budget after the minister's speech.",
    "cooking": "Whisk the eggs, add flour and bake the cake for forty minutes.",
    "technology": "The new smartphone has a faster processor and more memory.",
}


def ask(paths: list | tuple = (), *, texts=(), labels="", **options) -> ClassifyTexts:
    return ClassifyTexts(
        tuple(str(p) for p in paths), tuple(texts), tuple(parse_labels(labels)), **options
    )


def test_zero_shot_ranks_clear_sentences() -> None:
    results = run_to_end(classify_texts(ask(texts=list(CLEAR.values()), labels=LABELS, top_k=4)))
    for expected, r in zip(CLEAR, results, strict=True):
        assert r.top.label == expected, r
        scores = [p.score for p in r.predictions]
        assert scores == sorted(scores, reverse=True)
        assert sum(scores) == pytest.approx(1.0, abs=1e-5)
        assert r.top.score > 0.5


def test_bare_labels_work_too() -> None:
    results = run_to_end(classify_texts(ask(texts=CLEAR.values(), labels=LABELS, template=None)))
    assert [r.top.label for r in results] == list(CLEAR)


def test_parse_labels() -> None:
    assert parse_labels("a, b,,c\nd\n a ") == ["a", "b", "c", "d"]
    assert parse_labels(["x", "X", " y "]) == ["x", "y"]


def test_chunks_cover_every_token_with_overlap() -> None:
    ids = list(range(1000))
    chunks = chunk_ids(ids, 254, overlap=32)
    assert all(len(c) <= 254 for c in chunks)
    assert set().union(*map(set, chunks)) == set(ids)
    assert chunks[1][0] == 254 - 32
    assert chunk_ids([1, 2], 254) == [[1, 2]]


def test_long_document_is_chunked_not_truncated(tmp_path: Path) -> None:
    filler = " ".join(["The striker scored a goal for the team."] * 60)
    tail = " ".join(["Knead the dough, add butter and bake the bread in the oven."] * 200)
    path = tmp_path / "long.txt"
    path.write_text(filler + " " + tail)
    (r,) = run_to_end(classify_texts(ask([path], labels="sports, cooking")))
    # Truncation at 256 tokens would see only football; the whole text is mostly baking.
    assert r.top.label == "cooking"


def test_files_rows_and_errors_keep_order(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(CLEAR["sports"])
    (tmp_path / "b.csv").write_text(f'text\n"{CLEAR["cooking"]}"\n""\n')
    (tmp_path / "c.txt").write_bytes(b"\x00\x01\x02" * 100)
    (tmp_path / "d.txt").write_text("")
    events: list[object] = []
    results = run_to_end(
        classify_texts(ask([tmp_path], labels=LABELS, batch_size=2)), events.append
    )
    names = [Path(r.path).name for r in results]
    assert names == ["a.txt", "b.csv#1", "b.csv#2", "c.txt", "d.txt"]
    assert [r.ok for r in results] == [True, True, False, False, False]
    assert results[1].top.label == "cooking"
    assert results[0].snippet.startswith("The striker")
    assert any(isinstance(e, Partial) for e in events)


def test_needs_two_labels_and_template_placeholder() -> None:
    with pytest.raises(FmError, match="at least two labels"):
        run_to_end(classify_texts(ask(texts=["x"], labels="only")))
    with pytest.raises(FmError, match=r"\{label\}"):
        run_to_end(classify_texts(ask(texts=["x"], labels="a, b", template="no placeholder")))


def test_cancel() -> None:
    token = CancelToken()
    token.cancel()
    with pytest.raises(Cancelled):
        run_to_end(classify_texts(ask(texts=["a", "b"], labels="x, y"), cancel=token))


def test_fine_tuned_model_folder(tiny_text_base: Path) -> None:
    long_text = "word " * 500  # longer than the tiny model's 128 positions: must be chunked
    results = run_to_end(
        classify_texts(ask(texts=["good", long_text], model=str(tiny_text_base), top_k=5))
    )
    for r in results:
        assert sorted(p.label for p in r.predictions) == ["neg", "neutral", "pos"]
        assert sum(p.score for p in r.predictions) == pytest.approx(1.0, abs=1e-5)


def test_fine_tuned_model_from_the_library(tiny_text_base: Path, fm_home: Path) -> None:
    import shutil

    from fmstudio.core import catalog, paths

    target = paths.models_dir() / "sentiment-v1"
    shutil.copytree(tiny_text_base, target)
    (target / "model.json").write_text(
        json.dumps({"task": "text", "classes": ["neg", "neutral", "pos"]})
    )
    assert "sentiment-v1" in [e.name for e in catalog.list_models("text")]
    (r,) = run_to_end(classify_texts(ask(texts=["fine"], model="sentiment-v1", top_k=2)))
    assert len(r.predictions) == 2


def test_the_bar_moves_and_stop_is_heard_inside_a_step_of_long_documents() -> None:
    """Twenty long documents sat at 0/20 for a minute: one step held them all."""
    from fmstudio.core.events import Progress

    words = ["the", "river", "flooded", "the", "valley", "after", "a", "week", "of", "storms"]
    long = [" ".join(words[(i + j) % len(words)] for j in range(1500)) for i in range(2)]
    events = []
    for event in classify_texts(ask(texts=long, labels="weather, sports", batch_size=2)):
        events.append(event)
        if isinstance(event, Partial):
            break
    inside = {e.fraction for e in events if isinstance(e, Progress) and 0 < e.fraction < 1}
    assert len(inside) >= 3, inside

    token = CancelToken()
    job = classify_texts(ask(texts=long, labels="weather, sports", batch_size=2), cancel=token)
    for event in job:
        if isinstance(event, Progress) and 0 < event.fraction < 1:
            token.cancel()
            break
    with pytest.raises(Cancelled):
        run_to_end(job)


def test_steps_start_small_for_a_quick_first_result_then_grow_large() -> None:
    from fmstudio.core.data.texts import TextDoc
    from fmstudio.core.text.classify import FIRST_WINDOW_CHARS, _windows

    long = [TextDoc(f"d{i}", "word " * (FIRST_WINDOW_CHARS // 10)) for i in range(20)]
    assert [len(w) for w in _windows(long, 128)] == [2, 18]
    short = [TextDoc(f"s{i}", "a short text") for i in range(5000)]
    assert [len(w) for w in _windows(short, 128)] == [128, 4096, 776]


def test_batches_hold_similar_lengths_and_more_of_the_short_ones() -> None:
    from fmstudio.core.text.batching import BATCH_TOKENS, length_batches

    lengths = [5, 200, 6, 190, 7, 180, 8, 170] * 8 + [10 * BATCH_TOKENS]
    batches = list(length_batches(lengths, 8))
    assert sorted(i for b in batches for i in b) == list(range(len(lengths)))
    assert all(max(lengths[i] for i in b) - min(lengths[i] for i in b) <= 20 for b in batches)
    padded = [len(b) * max(lengths[i] for i in b) for b in batches[:-1]]
    assert len(batches[0]) == 16 and max(padded) <= 8 * BATCH_TOKENS
    assert batches[-1] == [len(lengths) - 1]  # longer than the budget: a batch of its own


def test_a_book_sized_document_is_read_as_evenly_spread_parts(tmp_path: Path) -> None:
    """A 16 MB file ran for over 24 minutes, every 256-token window embedded."""
    import time

    from fmstudio.core.events import Log
    from fmstudio.core.text import classify

    sport = "The striker scored twice and the goalkeeper saved a penalty in the final. "
    book = tmp_path / "book.txt"
    book.write_text(sport * 200_000, encoding="utf-8")  # 15 MB of one topic
    text = book.read_text(encoding="utf-8")
    parts = classify.bounded(text).split("\n")
    assert len(parts) == classify.LONG_PARTS
    assert parts[0].startswith("striker") and text.rstrip().endswith(parts[-1].rstrip())
    assert classify.bounded("short text") == "short text"
    said: list[str] = []
    started = time.monotonic()
    request = ClassifyTexts(paths=(str(book),), labels=("sports", "cooking"))
    (result,) = run_to_end(
        classify.classify_texts(request),
        lambda e: said.append(e.message) if isinstance(e, Log) else None,
    )
    assert time.monotonic() - started < 60
    assert result.predictions[0].label == "sports"
    assert any("read as 24 evenly spread parts" in line for line in said)
