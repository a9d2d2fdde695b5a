"""Exports to ONNX and TorchScript: checked when written, run from their README's snippet in
a plain Python process, and refused with a reason where they cannot be made."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from PIL import Image

from fmstudio.core import loading
from fmstudio.core.errors import FmError
from fmstudio.core.events import run_to_end
from fmstudio.core.export import graphs, snippets
from fmstudio.core.export.job import META_FILE, export_model
from fmstudio.core.requests import Export

ROOT = Path(__file__).resolve().parents[3]


def _export(model: str, output: Path, fmt: str = "onnx", task: str | None = None):
    return run_to_end(export_model(Export(model, fmt, str(output), task)))


def _run_readme(folder: Path, cwd: Path) -> str:
    """Run the README's Python in a fresh interpreter, as a user would paste it."""
    text = (folder / "README.md").read_text(encoding="utf-8")
    code = re.search(r"```python\n(.*?)```", text, re.S)
    assert code is not None
    done = subprocess.run(
        [sys.executable, "-c", code.group(1)], cwd=cwd, capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


def test_bundled_image_model_runs_in_plain_onnxruntime(
    tmp_path: Path, photo_like_image: Path
) -> None:
    Image.open(photo_like_image).convert("RGB").save(tmp_path / "photo.jpg", quality=95)
    result = _export("efficientnet_lite0", tmp_path / "lite0")
    assert result.top1_same and result.largest_difference < graphs.TOLERANCE
    meta = json.loads((tmp_path / "lite0" / META_FILE).read_text())
    assert meta["preprocess"]["crop"] == 224 and len(meta["labels"]) == 1000
    assert meta["check"]["inputs"] == 4 and meta["check"]["top1_same"]
    assert _run_readme(tmp_path / "lite0", tmp_path) == "daisy"


@pytest.mark.slow
def test_trained_text_classifier_runs_from_its_readme(tmp_path: Path, tiny_text_base: Path) -> None:
    _export(str(tiny_text_base), tmp_path / "tiny-text", task="text")
    files = {p.name for p in (tmp_path / "tiny-text").iterdir()}
    assert {"model.onnx", "tokenizer.json", META_FILE, "README.md"} <= files
    model = loading.load(str(tiny_text_base), "text")
    expected = model.labels[
        int(model.probabilities(["The delivery arrived two days late."])[0].argmax())
    ]
    assert _run_readme(tmp_path / "tiny-text", tmp_path) == str([expected])


@pytest.mark.slow
def test_a_text_head_model_exports_encoder_pooling_and_head_as_one_graph(
    tmp_path: Path, tiny_text_base: Path, text_folder: Path
) -> None:
    from fmstudio.core.classify.train_job import fine_tune
    from fmstudio.core.train.spec import TrainSpec

    base = str(tiny_text_base)
    spec = TrainSpec("text", str(text_folder), str(tmp_path / "head"), base=base, mode="head")
    trained = run_to_end(fine_tune(spec))
    result = _export(str(trained.folder), tmp_path / "head-onnx", task="text")
    assert result.largest_difference < graphs.TOLERANCE
    model = loading.load(str(trained.folder), "text")
    text = "The delivery arrived two days late."
    expected = model.labels[int(model.probabilities([text])[0].argmax())]
    assert _run_readme(tmp_path / "head-onnx", tmp_path) == str([expected])
    import onnx

    saved = json.loads((trained.folder / "model.json").read_text())["calibration"]
    props = {
        p.key: p.value for p in onnx.load(str(tmp_path / "head-onnx" / "model.onnx")).metadata_props
    }
    assert json.loads(props["fmstudio.calibration"]) == saved
    assert json.loads((tmp_path / "head-onnx" / META_FILE).read_text())["calibration"] == saved


def test_torchscript_loads_with_jit_and_matches(tmp_path: Path, tiny_image_base: Path) -> None:
    result = _export(str(tiny_image_base), tmp_path / "ts", "torchscript", "image")
    assert result.format == "torchscript" and (tmp_path / "ts" / "model.pt").is_file()
    model = loading.load(str(tiny_image_base), "image")
    x = torch.randn(3, 3, 32, 32)
    with torch.inference_mode():
        scripted = torch.jit.load(str(tmp_path / "ts" / "model.pt"))(x)
        assert torch.allclose(scripted, model.model(x), atol=1e-5)
    assert "torch.jit.load" in (tmp_path / "ts" / "README.md").read_text()


def test_what_cannot_be_exported_says_why(tmp_path: Path) -> None:
    with pytest.raises(FmError, match="CTranslate2"):
        _export("whisper-tiny.en", tmp_path / "a")
    with pytest.raises(FmError, match="NumPy"):
        _export("use-multilingual", tmp_path / "b")
    with pytest.raises(FmError, match="--task"):
        _export("no-such-model", tmp_path / "c")
    with pytest.raises(FmError, match="onnx or torchscript"):
        _export("efficientnet_lite0", tmp_path / "d", "tflite")
    assert not any(tmp_path.iterdir())


def test_a_folder_of_the_users_files_is_never_replaced(
    tmp_path: Path, tiny_image_base: Path
) -> None:
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("keep me")
    with pytest.raises(FmError, match="not an fmstudio export"):
        _export(str(tiny_image_base), mine, task="image")
    assert [p.name for p in mine.iterdir()] == ["notes.txt"]
    _export(str(tiny_image_base), tmp_path / "out", task="image")
    _export(str(tiny_image_base), tmp_path / "out", "torchscript", "image")  # replaces it
    assert {p.name for p in (tmp_path / "out").iterdir()} == {"model.pt", META_FILE, "README.md"}


def test_an_export_that_does_not_match_leaves_nothing(
    tmp_path: Path, tiny_image_base: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(graphs, "mismatch", lambda *a, **k: "outputs differ by 0.5")
    with pytest.raises(FmError, match="does not compute what the model does"):
        _export(str(tiny_image_base), tmp_path / "bad", task="image")
    assert not any(tmp_path.iterdir())


def test_project_readme_shows_the_snippet_the_exports_carry() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for task, folder, example in (
        ("image", "flowers-onnx", "photo.jpg"),
        ("text", "reviews-onnx", "The delivery arrived two days late."),
        ("detect", "coins-onnx", "photo.jpg"),
        ("sound", "drums-onnx", "recording.wav"),
    ):
        assert snippets.snippet(task, "onnx", folder, example) in readme


def test_the_bundled_detector_runs_from_its_readme_with_the_boxes_fmstudio_finds(
    tmp_path: Path,
) -> None:
    from tests.datasets import skimage_photo

    Image.open(skimage_photo("chelsea.png")).convert("RGB").save(tmp_path / "photo.jpg")
    result = _export("centernet-coco", tmp_path / "centernet")
    assert result.largest_difference < graphs.TOLERANCE
    meta = json.loads((tmp_path / "centernet" / META_FILE).read_text())
    assert meta["input_size"] == 512 and meta["labels"][15] == "cat"
    assert not meta["check"]["top1_same"]  # a map of scores per cell: no top-1 to compare
    printed = _run_readme(tmp_path / "centernet", tmp_path).splitlines()
    assert len(printed) == 1 and printed[0].startswith("cat ")
    ours = loading.load("centernet-coco", "detect").detect([Image.open(tmp_path / "photo.jpg")])
    assert printed[0].split()[1] == f"{ours[0][0].score:.2f}"


def test_two_models_exported_on_two_threads_at_once_both_get_their_graph(tmp_path: Path) -> None:
    """The Image and Detect tabs preload at once; torch's exporter has process-wide state."""
    from concurrent.futures import ThreadPoolExecutor

    import torch

    def export(n: int) -> Path:
        module = torch.nn.Sequential(torch.nn.Conv2d(3, 8, 3), torch.nn.ReLU()).eval()
        spec = graphs.GraphSpec(("x",), ("y",), {"x": {0: "n"}, "y": {0: "n"}})
        path = tmp_path / f"{n}.onnx"
        graphs.export_onnx(module, [torch.rand(1, 3, 32, 32)], spec, path)
        return path

    with ThreadPoolExecutor(4) as pool:
        made = list(pool.map(export, range(8)))
    assert all(p.is_file() and p.stat().st_size > 0 for p in made)
