"""`classify --sort-into`: the real bundled models sort real files; nothing is overwritten."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from PIL import Image

from tests.cli.runner import fmstudio

pytestmark = pytest.mark.slow  # spawns the CLI

DOCS = {
    "match.txt": "The striker scored a late goal and the team won the league match.",
    "derby.txt": "Fans cheered as the coach celebrated the penalty that won the game.",
    "stew.txt": "Simmer the onions in butter, add garlic and flour, then bake the stew.",
    "bread.md": "Knead the dough, let it rise, and bake the bread in a hot oven.",
}


def _snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def _documents(tmp_path: Path) -> Path:
    src = tmp_path / "docs"
    src.mkdir()
    for name, text in DOCS.items():
        (src / name).write_text(text, encoding="utf-8")
    (src / "empty.txt").write_text("", encoding="utf-8")
    return src


def _sort(*args: str) -> tuple[int, str, str]:
    out = fmstudio("text", "classify", *args, "--labels", "sports, cooking")
    return out.returncode, out.stdout, out.stderr


def test_copy_with_threshold_clash_and_failed_input(tmp_path: Path) -> None:
    src = _documents(tmp_path)
    before = _snapshot(src)
    dest = tmp_path / "sorted"
    (dest / "sports").mkdir(parents=True)
    (dest / "sports" / "derby.txt").write_text("the user's own file", encoding="utf-8")
    rc, stdout, stderr = _sort(str(src), "--sort-into", str(dest), "--min-score", "0.95")
    assert rc == 2, stderr  # the empty file could not be classified
    assert "empty.txt: NOT SORTED" in stdout
    assert _snapshot(src) == before, "copying leaves every input as it was"
    assert (dest / "sports" / "derby.txt").read_text(encoding="utf-8") == "the user's own file"
    with (dest / "manifest.csv").open(encoding="utf-8") as f:
        rows = {Path(r["source"]).name: r for r in csv.DictReader(f)}
    assert set(rows) == set(DOCS)
    assert Path(rows["derby.txt"]["destination"]).name == "derby-2.txt"
    for name, row in rows.items():
        expected = "sports" if name in ("match.txt", "derby.txt") else "cooking"
        assert row["label"] == expected
        assert Path(row["destination"]).read_text(encoding="utf-8") == DOCS[name]
    # MiniLM gives match.txt 92% sports, the others at least 98%
    assert Path(rows["match.txt"]["destination"]).parent.name == "_unsure"
    assert Path(rows["derby.txt"]["destination"]).parent.name == "sports"


def test_dry_run_then_move(tmp_path: Path) -> None:
    src = _documents(tmp_path)
    before = _snapshot(src)
    dest = tmp_path / "sorted"
    rc, stdout, stderr = _sort(str(src), "--sort-into", str(dest), "--move", "--dry-run")
    assert rc == 2 and "dry run: nothing was touched" in stderr
    assert f"{src / 'stew.txt'} -> {dest / 'cooking' / 'stew.txt'}" in stdout
    assert not dest.exists() and _snapshot(src) == before

    rc, _, stderr = _sort(str(src), "--sort-into", str(dest), "--move", "--json")
    assert rc == 2
    assert sorted(p.name for p in src.iterdir()) == ["empty.txt"], "failed inputs stay"
    assert sorted(p.name for p in (dest / "cooking").iterdir()) == ["bread.md", "stew.txt"]
    assert (dest / "sports" / "derby.txt").read_text(encoding="utf-8") == DOCS["derby.txt"]


def test_image_sort_json_and_option_errors(tmp_path: Path, photo_like_image: Path) -> None:
    src = tmp_path / "photos"
    src.mkdir()
    Image.open(photo_like_image).save(src / "flower.jpg")
    dest = tmp_path / "sorted"
    out = fmstudio("image", "classify", str(src), "--sort-into", str(dest), "--json")
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    assert report["placed"][0]["label"] == "daisy"
    assert (dest / "daisy" / "flower.jpg").read_bytes() == (src / "flower.jpg").read_bytes()
    assert report["manifest"] == str(dest / "manifest.csv")

    lone = fmstudio("image", "classify", str(src), "--move")
    assert lone.returncode == 1 and "go with --sort-into" in lone.stderr
    (tmp_path / "file").write_text("x")
    bad = fmstudio("image", "classify", str(src), "--sort-into", str(tmp_path / "file"))
    assert bad.returncode == 1 and "a file, not a folder" in bad.stderr
    assert (src / "flower.jpg").exists()
