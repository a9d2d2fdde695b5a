"""Scanning training folders into a report before anything trains."""

from __future__ import annotations

from pathlib import Path

from PIL import Image

from fmstudio.core.classify.scan import scan, stratified_split


def image(path: Path, colour: tuple[int, int, int]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (32, 32), colour).save(path)


def make_images(root: Path, counts: dict[str, int]) -> None:
    for c, (label, n) in enumerate(counts.items()):
        for i in range(n):
            image(root / label / f"{i}.png", (c * 40 % 256, i * 7 % 256, 100))


def test_report_counts_split_and_skipped_files(tmp_path: Path) -> None:
    make_images(tmp_path, {"cats": 10, "dogs": 10})
    (tmp_path / "cats" / "broken.jpg").write_bytes(b"not a jpeg")
    (tmp_path / "cats" / "empty.png").write_bytes(b"")
    (tmp_path / "dogs" / "notes.txt").write_text("a note")
    (tmp_path / "dogs" / "copy.png").write_bytes((tmp_path / "dogs" / "3.png").read_bytes())
    report = scan(tmp_path, "image", val_split=0.2, seed=1)
    assert report.ok, report.errors
    assert report.classes == ["cats", "dogs"]
    assert report.counts() == {"cats": 10, "dogs": 10}
    assert sum(s.label == "cats" for s in report.val) == 2
    reasons = {Path(s.path).name: s.reason for s in report.skipped}
    assert "not an image" in reasons["broken.jpg"]
    assert "empty" in reasons["empty.png"]
    assert "unsupported" in reasons["notes.txt"]
    assert "exact duplicate" in reasons["copy.png"] or "exact duplicate" in reasons.get("3.png", "")
    assert "10 training" not in report.summary() and "2 classes" in report.summary()


def test_split_is_seeded_and_reproducible(tmp_path: Path) -> None:
    make_images(tmp_path, {"a": 8, "b": 8})
    one, two = scan(tmp_path, "image", seed=3), scan(tmp_path, "image", seed=3)
    other = scan(tmp_path, "image", seed=4)
    assert [s.path for s in one.val] == [s.path for s in two.val]
    assert [s.path for s in one.val] != [s.path for s in other.val]


def test_train_and_val_folders_are_honoured(tmp_path: Path) -> None:
    make_images(tmp_path / "train", {"x": 4, "y": 4})
    for i, label in enumerate(["x", "x", "x", "y", "y"]):
        image(tmp_path / "val" / label / f"v{i}.png", (250, 250 - i, 3))
    image(tmp_path / "val" / "y" / "leak.png", (0, 0, 100))  # the same pixels as train/x/0.png
    report = scan(tmp_path, "image")
    assert report.split == "folders"
    assert len(report.train) == 8 and len(report.val) == 5
    assert [Path(s.path).name for s in report.skipped] == ["leak.png"]


def test_single_class_tiny_class_and_missing_folder(tmp_path: Path) -> None:
    make_images(tmp_path / "one", {"only": 5})
    assert any("at least 2 classes" in e for e in scan(tmp_path / "one", "image").errors)
    make_images(tmp_path / "tiny", {"big": 5, "small": 1, "other": 3})
    tiny = scan(tmp_path / "tiny", "image")
    assert tiny.ok and tiny.classes == ["big", "other"]  # the rest trains
    assert any("'small' has 1 example" in w and "left out" in w for w in tiny.warnings)
    assert any(Path(s.path).parent.name == "small" for s in tiny.skipped)
    assert "does not exist" in scan(tmp_path / "nowhere", "image").errors[0]


def test_imbalance_warning(tmp_path: Path) -> None:
    make_images(tmp_path, {"many": 16, "few": 4})
    report = scan(tmp_path, "image")
    assert report.ok and any("heavy imbalance" in w for w in report.warnings)


def test_text_folders_and_csv(tmp_path: Path) -> None:
    for label, words in {"pos": "great lovely", "neg": "awful broken"}.items():
        for i in range(3):
            path = tmp_path / "docs" / label / f"{i}.txt"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(f"{words} number {i}")
    (tmp_path / "docs" / "neg" / "blank.txt").write_text("")
    report = scan(tmp_path / "docs", "text")
    assert report.ok and report.counts() == {"neg": 3, "pos": 3}
    assert all(s.text for s in report.train + report.val)
    assert [Path(s.path).name for s in report.skipped] == ["blank.txt"]

    table = tmp_path / "data.csv"
    table.write_text("text,label\nnice,pos\ngood,pos\nbad,neg\nworse,neg\nmissing,\n")
    report = scan(table, "text", val_split=0.5)
    assert report.ok and report.counts() == {"neg": 2, "pos": 2}
    assert len(report.val) == 2 and "no label" in report.skipped[0].reason


def test_stratified_split_keeps_one_for_training() -> None:
    from fmstudio.core.classify.scan import Sample

    samples = [Sample(f"{i}", "a") for i in range(2)] + [Sample(f"b{i}", "b") for i in range(2)]
    train, val = stratified_split(samples, 0.9, 0)
    assert len(train) == 2 and len(val) == 2


def test_scan_reads_each_file_once_and_the_hash_reads_none(tmp_path: Path, monkeypatch) -> None:
    from fmstudio.core.classify import scan as folders
    from fmstudio.core.library import dataset_hash

    make_images(tmp_path, {"cats": 4, "dogs": 3})
    reads: list[Path] = []
    real = folders.read_bytes
    monkeypatch.setattr(folders, "read_bytes", lambda p: reads.append(p) or real(p))
    report = scan(tmp_path, "image")
    assert sorted(reads) == sorted(tmp_path.rglob("*.png"))  # once each, nothing else
    monkeypatch.setattr(
        Path, "read_bytes", lambda self: (_ for _ in ()).throw(AssertionError(self))
    )
    assert len(dataset_hash(report)) == 64
    assert all(len(s.sha256) == 64 for s in report.train + report.val)


def test_a_class_folder_without_usable_files_is_reported(tmp_path: Path) -> None:
    make_images(tmp_path, {"cats": 3, "dogs": 3})
    (tmp_path / "birds").mkdir()
    (tmp_path / "birds" / "readme.txt").write_text("photos to come")
    report = scan(tmp_path, "image")
    assert report.classes == ["cats", "dogs"]
    assert any("birds has no usable files" in w for w in report.warnings)
