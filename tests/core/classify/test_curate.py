"""Adding classified inputs to a dataset and sorting them into folders: real files, no model."""

from __future__ import annotations

import csv
import os
from pathlib import Path

import pytest

from fmstudio.core.classify.dataset import Dataset, Item
from fmstudio.core.classify.results import ItemResult, Prediction
from fmstudio.core.classify.sort import UNSURE, SortInto, sort_results
from fmstudio.core.errors import Cancelled
from fmstudio.core.events import CancelToken, run_to_end
from fmstudio.core.placing import copy_into, folder_name, move_into, write_text_into


def _files(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


def _result(path: Path | str, label: str, score: float, text: str | None = None) -> ItemResult:
    return ItemResult(
        str(path), (Prediction(label, score), Prediction("other", 1 - score)), text=text
    )


def test_folder_names_are_safe_everywhere() -> None:
    assert folder_name("cats/dogs") == "cats_dogs"
    assert folder_name('a:b*c?"') == "a_b_c_"
    assert folder_name("CON") == "CON_"
    assert folder_name("  ..  ") == "_"
    assert folder_name("Größe 1") == "Größe 1"


def test_placing_never_overwrites(tmp_path: Path) -> None:
    src = tmp_path / "a.png"
    src.write_bytes(b"one")
    out = tmp_path / "out"
    out.mkdir()
    (out / "a.png").write_bytes(b"theirs")
    first = copy_into(src, out)
    second = copy_into(src, out)
    assert (first.name, second.name) == ("a-2.png", "a-3.png")
    assert (out / "a.png").read_bytes() == b"theirs" and src.read_bytes() == b"one"
    text = write_text_into("héllo", out, "a.png")
    assert text.name == "a-4.png" and text.read_text(encoding="utf-8") == "héllo"
    moved = move_into(src, out)
    assert moved.name == "a-5.png" and not src.exists() and moved.read_bytes() == b"one"
    assert not [p for p in out.iterdir() if p.name.startswith(".")], "no temp file left"


def test_dataset_add_copies_refuses_duplicates_and_undoes(tmp_path: Path) -> None:
    ds_root = tmp_path / "ds"
    (ds_root / "cat").mkdir(parents=True)
    (ds_root / "cat" / "old.jpg").write_bytes(b"old cat")
    inputs = tmp_path / "in"
    inputs.mkdir()
    for name, data in (("x.jpg", b"new 1"), ("y.jpg", b"new 2"), ("dup.jpg", b"old cat")):
        (inputs / name).write_bytes(data)
    (inputs / "empty.jpg").write_bytes(b"")
    before = _files(inputs)
    ds = Dataset(ds_root, "image")
    items = [Item(str(inputs / n)) for n in ("x.jpg", "y.jpg", "dup.jpg", "empty.jpg", "gone.jpg")]
    record = ds.add(items, "dog")
    assert [Path(str(a.path)).name for a in record.placed] == ["x.jpg", "y.jpg"]
    reasons = {Path(a.item.source).name: a.reason for a in record.skipped}
    assert reasons["dup.jpg"] == f"already in the dataset as {Path('cat/old.jpg')}"
    assert reasons["empty.jpg"] == "empty"
    assert reasons["gone.jpg"].startswith("cannot read: ")
    assert ds.counts() == {"cat": 1, "dog": 2}
    assert _files(inputs) == before, "the inputs are copied, never moved"
    again = ds.add([Item(str(inputs / "x.jpg"))], "cat")
    assert again.placed == [] and "dog/x.jpg" in again.skipped[0].reason.replace(os.sep, "/")

    assert ds.undo(record) == 2
    assert ds.counts() == {"cat": 1}, "the class folder the add made is gone again"
    assert ds.add([Item(str(inputs / "x.jpg"))], "cat").placed, "undone content can come back"


def test_undo_keeps_a_file_the_user_changed_and_a_folder_they_made(tmp_path: Path) -> None:
    (tmp_path / "ds" / "dog").mkdir(parents=True)
    src = tmp_path / "a.jpg"
    src.write_bytes(b"a")
    ds = Dataset(tmp_path / "ds", "image")
    record = ds.add([Item(str(src)), Item("pasted#1", "not an image but kept")], "dog")
    placed = Path(str(record.placed[0].path))
    placed.write_bytes(b"edited by the user")
    assert ds.undo(record) == 1
    assert placed.read_bytes() == b"edited by the user"
    assert (tmp_path / "ds" / "dog").is_dir()


def test_texts_are_written_as_files_named_for_where_they_came_from(tmp_path: Path) -> None:
    ds = Dataset(tmp_path / "ds", "text")
    record = ds.add(
        [
            Item("/data/reviews.csv#7", "Great pasta, slow service."),
            Item("pasted#1", "The striker scored twice!\nWhat a match."),
            Item("pasted#2", "The striker scored twice!\nWhat a match."),
        ],
        "mixed/other",
    )
    names = sorted(Path(str(a.path)).name for a in record.placed)
    assert names == ["reviews-row7.txt", "the-striker-scored-twice-what-a.txt"]
    assert record.label == "mixed_other" and len(record.skipped) == 1
    saved = tmp_path / "ds" / "mixed_other" / "reviews-row7.txt"
    assert saved.read_text(encoding="utf-8") == "Great pasta, slow service."


def _inputs(tmp_path: Path) -> tuple[Path, list[ItemResult]]:
    src = tmp_path / "src"
    (src / "sub").mkdir(parents=True)
    (src / "a.jpg").write_bytes(b"a")
    (src / "sub" / "a.jpg").write_bytes(b"a from sub")
    (src / "b.jpg").write_bytes(b"b")
    (src / "c.jpg").write_bytes(b"c")
    results = [
        _result(src / "a.jpg", "cat", 0.9),
        _result(src / "sub" / "a.jpg", "cat", 0.8),
        _result(src / "b.jpg", "dog", 0.7),
        _result(src / "c.jpg", "dog", 0.3),
        ItemResult(str(src / "broken.jpg"), (), "not an image"),
        _result("/t/reviews.csv#2", "dog", 0.95, text="a row"),
    ]
    return src, results


def test_sort_copies_by_label_with_unsure_folder_and_manifest(tmp_path: Path) -> None:
    src, results = _inputs(tmp_path)
    before = _files(src)
    out = tmp_path / "sorted"
    outcome = run_to_end(sort_results(results, SortInto(str(out), min_score=0.5)))
    assert _files(src) == before
    assert outcome.counts() == {UNSURE: 1, "cat": 2, "dog": 2}
    assert sorted(_files(out)) == sorted(
        str(Path(p))
        for p in (
            "cat/a.jpg",
            "cat/a-2.jpg",
            "dog/b.jpg",
            "dog/reviews-row2.txt",
            f"{UNSURE}/c.jpg",
            "manifest.csv",
        )
    )
    assert [r.path for r in outcome.unclassified] == [str(src / "broken.jpg")]
    with (out / "manifest.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert [r["source"] for r in rows] == [r.path for r in results if r.ok]
    assert rows[3]["destination"] == str(out / UNSURE / "c.jpg")
    assert rows[3]["label"] == "dog" and float(rows[3]["score"]) == pytest.approx(0.3)
    for row in rows:
        assert Path(row["destination"]).is_file()

    again = run_to_end(sort_results(results, SortInto(str(out))))
    assert again.manifest == out / "manifest-2.csv"
    assert (out / "cat" / "a.jpg").read_bytes() == b"a", "a second sort never overwrites"


def test_sort_move_dry_run_and_stop(tmp_path: Path) -> None:
    src, results = _inputs(tmp_path)
    before = _files(src)
    out = tmp_path / "sorted"
    plan = run_to_end(sort_results(results, SortInto(str(out), move=True, dry_run=True)))
    assert not out.exists() and _files(src) == before
    assert plan.placements[0].destination == str(out / "cat" / "a.jpg")

    cancel = CancelToken()
    job = sort_results(results, SortInto(str(out), move=True), cancel=cancel)
    next(job)  # the first input is placed
    cancel.cancel()
    with pytest.raises(Cancelled):
        run_to_end(job)
    assert not (src / "a.jpg").exists() and (out / "cat" / "a.jpg").read_bytes() == b"a"
    assert (src / "b.jpg").exists(), "what was not reached stays where it was"
    with (out / "manifest.csv").open(encoding="utf-8") as f:
        assert [r["source"] for r in csv.DictReader(f)] == [str(src / "a.jpg")]


def test_sort_failure_leaves_the_input_and_goes_on(tmp_path: Path) -> None:
    src, results = _inputs(tmp_path)
    out = tmp_path / "sorted"
    out.mkdir()
    (out / "cat").write_text("a file where a folder would go")
    outcome = run_to_end(sort_results(results, SortInto(str(out), move=True)))
    assert [Path(p.source).name for p in outcome.failed] == ["a.jpg", "a.jpg"]
    assert (src / "a.jpg").exists() and (src / "sub" / "a.jpg").exists()
    assert not (src / "b.jpg").exists() and (out / "dog" / "b.jpg").exists()


def test_review_goes_least_sure_first_and_undoes() -> None:
    from fmstudio.core.classify.review import ReviewQueue, class_keys, review_classes

    results = [
        _result("a", "cat", 0.9),
        ItemResult("bad", (), "unreadable"),
        _result("b", "dog", 0.55),
        _result("c", "cat", 0.7),
    ]
    assert review_classes(results, ["bird", "Cat"]) == ["bird", "Cat", "cat", "dog", "other"]
    many = [_result(str(i), f"label{i % 12}", 0.5) for i in range(13)]
    offered = review_classes(many, ["zebra"])
    assert offered[:3] == ["zebra", "label0", "label1"], "dataset first, then most frequent"
    assert "other" not in offered, "with many labels only the top ones are offered"
    queue = ReviewQueue(results)
    assert queue.order == [2, 3, 0] and queue.current() == 2
    queue.decide(2, "cat")
    queue.decide(3, None)
    assert queue.current() == 0 and queue.counter() == "2 reviewed / 1 remaining"
    queue.undo(3)
    assert queue.current() == 3
    with pytest.raises(ValueError):
        queue.decide(1, "cat")
    assert ReviewQueue(results, limit=2).order == [2, 3]
    named = [str(d) for d in range(10)]
    assert class_keys(named) == {d: d for d in [*named[1:], "0"]}, "digit classes keep their key"
    mixed = class_keys(["cat", "2", "dog", "zebra"])
    assert mixed == {"1": "cat", "2": "2", "3": "dog", "4": "zebra"}
    assert list(class_keys([f"c{i}" for i in range(12)]).values())[-1] == "c9", "ten keys"
