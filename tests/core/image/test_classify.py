"""The classify job with the real bundled model on images the tests draw."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from PIL import Image, ImageDraw

from fmstudio.core.classify.results import export, results_to_csv
from fmstudio.core.errors import Cancelled
from fmstudio.core.events import CancelToken, Partial, Progress, run_to_end
from fmstudio.core.image.classify import classify_images
from fmstudio.core.image.requests import ClassifyImages


def ask(paths: list, **options) -> ClassifyImages:
    return ClassifyImages(tuple(str(p) for p in paths), **options)


def draw(path: Path, kind: int) -> Path:
    img = Image.new("RGB", (320, 240), (250, 250, 245))
    d = ImageDraw.Draw(img)
    if kind % 3 == 0:
        d.ellipse((60, 40, 260, 220), fill=(200, 30, 30))
    elif kind % 3 == 1:
        for x in range(0, 320, 20):
            d.line((x, 0, x, 240), fill=(20, 20, 20), width=6)
    else:
        d.rectangle((40, 60, 280, 180), fill=(30, 90, 200), outline=(0, 0, 0), width=5)
    img.save(path)
    return path


@pytest.fixture
def drawn(tmp_path: Path) -> list[Path]:
    return [draw(tmp_path / f"shape{i}.png", i) for i in range(5)]


def _events_and_result(job):
    events = []
    result = run_to_end(job, events.append)
    return events, result


def test_shapes_scores_and_ranking(drawn: list[Path]) -> None:
    events, results = _events_and_result(classify_images(ask(drawn, top_k=5, batch_size=2)))
    assert [r.path for r in results] == [str(p) for p in drawn]
    for r in results:
        assert r.ok and len(r.predictions) == 5
        scores = [p.score for p in r.predictions]
        assert all(0.0 <= s <= 1.0 for s in scores)
        assert sum(scores) <= 1.0 + 1e-6
        assert scores == sorted(scores, reverse=True)
        assert len({p.label for p in r.predictions}) == 5
    partials = [e for e in events if isinstance(e, Partial)]
    assert [len(p.items) for p in partials] == [2, 2, 1]
    progress = [e for e in events if isinstance(e, Progress)]
    assert progress[-1].fraction == 1.0 and progress[-1].done == 5


def test_deterministic_and_batch_size_independent(drawn: list[Path]) -> None:
    a = run_to_end(classify_images(ask(drawn, top_k=3, batch_size=1)))
    b = run_to_end(classify_images(ask(drawn, top_k=3, batch_size=4)))
    for ra, rb in zip(a, b, strict=True):
        assert [p.label for p in ra.predictions] == [p.label for p in rb.predictions]
        for pa, pb in zip(ra.predictions, rb.predictions, strict=True):
            assert pa.score == pytest.approx(pb.score, abs=1e-4)


@pytest.mark.parametrize("k", [1, 3, 1000, 5000])
def test_top_k_length(drawn: list[Path], k: int) -> None:
    (result,) = run_to_end(classify_images(ask(drawn[:1], top_k=k)))
    assert len(result.predictions) == min(k, 1000)


def test_bad_files_get_error_entries_and_good_ones_results(
    tmp_path: Path, drawn: list[Path]
) -> None:
    bad = {
        "zero.jpg": b"",
        "text.jpg": b"hello, I am text",
        "truncated.jpg": b"",
    }
    buf = io.BytesIO()
    Image.open(drawn[0]).save(buf, "JPEG")
    bad["truncated.jpg"] = buf.getvalue()[:500]
    for name, content in bad.items():
        (tmp_path / name).write_bytes(content)
    huge = tmp_path / "huge.png"
    Image.new("1", (12_000, 12_000)).save(huge)
    inputs = [drawn[0], tmp_path / "zero.jpg", tmp_path / "text.jpg", tmp_path / "truncated.jpg"]
    inputs += [huge, tmp_path / "does-not-exist.png", drawn[1]]
    results = run_to_end(classify_images(ask(inputs, top_k=2)))
    by_name = {Path(r.path).name: r for r in results}
    assert by_name["shape0.png"].ok and by_name["shape1.png"].ok
    assert "empty" in by_name["zero.jpg"].error
    assert "not an image" in by_name["text.jpg"].error
    assert "truncated" in by_name["truncated.jpg"].error
    assert "too large" in by_name["huge.png"].error
    assert "not found" in by_name["does-not-exist.png"].error
    for name in ("zero.jpg", "text.jpg", "truncated.jpg", "huge.png", "does-not-exist.png"):
        assert by_name[name].predictions == ()
        assert by_name[name].to_json()["predictions"] == []


def test_folder_recursion(tmp_path: Path) -> None:
    (tmp_path / "a" / "b").mkdir(parents=True)
    draw(tmp_path / "a" / "one.png", 0)
    draw(tmp_path / "a" / "b" / "two.jpg", 1)
    (tmp_path / "a" / "readme.txt").write_text("not an image")
    results = run_to_end(classify_images(ask([tmp_path / "a"])))
    assert sorted(Path(r.path).name for r in results) == ["one.png", "two.jpg"]


def test_cancel_stops_before_results(drawn: list[Path]) -> None:
    token = CancelToken()
    token.cancel()
    with pytest.raises(Cancelled):
        run_to_end(classify_images(ask(drawn), cancel=token))


def test_thumbnails_on_request(drawn: list[Path]) -> None:
    (r,) = run_to_end(classify_images(ask(drawn[:1], thumbnail_size=32)))
    thumb = r.thumbnail
    assert max(thumb.width, thumb.height) == 32


def test_csv_and_json_export(tmp_path: Path, drawn: list[Path]) -> None:
    (tmp_path / "bad.jpg").write_bytes(b"")
    results = run_to_end(classify_images(ask([drawn[0], tmp_path / "bad.jpg"], top_k=2)))
    rows = list(csv.DictReader(io.StringIO(results_to_csv(results))))
    assert rows[0]["path"] == str(drawn[0])
    assert rows[0]["label"] == results[0].predictions[0].label
    assert float(rows[0]["score"]) == pytest.approx(results[0].predictions[0].score, abs=1e-6)
    assert rows[0]["ranking"].count(":") == 2 and rows[0]["error"] == ""
    assert rows[1]["label"] == "" and "empty" in rows[1]["error"]
    target = tmp_path / "out" / "results.json"
    export(results, target)
    data = json.loads(target.read_text())
    assert data[1] == {
        "path": str(tmp_path / "bad.jpg"),
        "predictions": [],
        "error": results[1].error,
    }


def test_library_model_is_found_by_name_and_used(fm_home: Path, drawn: list[Path]) -> None:
    import timm
    from safetensors.torch import save_file

    from fmstudio.core import catalog, paths

    folder = paths.ensure(paths.models_dir() / "shapes-v1")
    net = timm.create_model("resnet10t", pretrained=False, num_classes=2)
    save_file(net.state_dict(), str(folder / "model.safetensors"))
    config = {"architecture": "resnet10t", "label_names": ["round", "square"]}
    (folder / "config.json").write_text(json.dumps(config))
    (folder / "model.json").write_text(
        json.dumps({"task": "image", "classes": ["round", "square"]})
    )
    assert "shapes-v1" in [e.name for e in catalog.list_models("image")]
    results = run_to_end(classify_images(ask(drawn[:2], model="shapes-v1", top_k=5)))
    for r in results:
        assert sorted(p.label for p in r.predictions) == ["round", "square"]
        assert sum(p.score for p in r.predictions) == pytest.approx(1.0, abs=1e-5)
