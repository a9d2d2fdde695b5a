"""The fine-tune job end to end: scan, train, save into the library, reload without fmstudio."""

from __future__ import annotations

import errno
import itertools
import json
import shutil
from dataclasses import replace
from pathlib import Path

import pytest
import torch

from fmstudio.core import catalog, loading, paths
from fmstudio.core.classify.evaluate import evaluate_model
from fmstudio.core.classify.scan import scan
from fmstudio.core.classify.train_job import class_weights, fine_tune
from fmstudio.core.errors import FmError
from fmstudio.core.events import Log, Progress, run_to_end
from fmstudio.core.image.classify import classify_images
from fmstudio.core.image.requests import ClassifyImages
from fmstudio.core.library import dataset_hash, output_folder, read_card, save_folder
from fmstudio.core.requests import Evaluate
from fmstudio.core.text.classify import classify_texts
from fmstudio.core.text.requests import ClassifyTexts
from fmstudio.core.train.events import EpochMetrics
from fmstudio.core.train.spec import TrainSpec


def train(spec: TrainSpec, **kw):
    events: list = []
    result = run_to_end(fine_tune(spec, **kw), events.append)
    return result, events


def test_image_head_mode_saves_a_timm_model(tiny_image_base: Path, image_folder: Path) -> None:
    spec = TrainSpec(
        "image", str(image_folder), "colours", base=str(tiny_image_base), mode="head", epochs=40
    )
    result, events = train(spec)
    folder = paths.models_dir() / "colours"
    assert result.folder == folder and folder.is_dir()
    assert sorted(p.name for p in folder.iterdir()) == [
        "README.md",
        "config.json",
        "model.json",
        "model.safetensors",
    ]
    assert not list(folder.parent.glob(".colours*")), "temp or run folders left behind"
    raw = (folder / "model.json").read_text()
    assert str(image_folder) not in raw and str(tiny_image_base) not in raw  # shareable
    assert json.loads(raw)["dataset"]["path"].startswith("..")  # relative to the folder
    card = read_card(folder)  # the paths whole again
    assert card["task"] == "image" and card["classes"] == ["blue", "red"]
    assert card["base_model"] == str(tiny_image_base) and card["mode"] == "head"
    assert card["dataset"]["hash"] == dataset_hash(scan(image_folder, "image"))
    assert card["hyperparameters"]["epochs"] == 40 and card["fmstudio_version"]
    assert card["metrics"]["accuracy"] == result.evaluation.accuracy
    assert len(card["history"]) == len(result.history) > 0
    readme = (folder / "README.md").read_text()
    assert readme.startswith("---\nlibrary_name: timm\n")
    assert "# Image classification model" in readme
    assert f"{result.evaluation.accuracy:.4f}" in readme
    assert "local-dir:path/to/this-folder" in readme
    assert any(isinstance(e, Log) and "features" not in e.message for e in events)

    # The tabs see it at once, and plain timm loads it with its classes and preprocessing.
    assert "colours" in [e.name for e in catalog.list_models("image")]
    import timm

    plain = timm.create_model(f"local-dir:{folder}", pretrained=True).eval()
    assert plain.pretrained_cfg["label_names"] == ["blue", "red"]
    ours = loading.load("colours", "image")
    batch = torch.randn(2, 3, 32, 32)
    with torch.no_grad():
        assert torch.allclose(plain(batch), ours.logits(batch), atol=1e-5)


def test_a_fine_tuned_image_folder_loads_in_transformers_pipeline(
    tiny_image_base: Path, image_folder: Path, tmp_path: Path
) -> None:
    """transformers' timm wrapper refused it: "multiple values for keyword 'num_classes'"."""
    from transformers import AutoModelForImageClassification, pipeline

    spec = TrainSpec("image", str(image_folder), str(tmp_path / "c"), base=str(tiny_image_base))
    result, _ = train(replace(spec, mode="head", epochs=40))
    model = AutoModelForImageClassification.from_pretrained(result.folder).eval()
    assert model.config.id2label == {0: "blue", 1: "red"}
    ours = loading.load(str(result.folder), "image")
    batch = torch.randn(2, 3, 32, 32)
    with torch.no_grad():
        assert torch.allclose(model(batch).logits, ours.logits(batch), atol=1e-5)
    classify = pipeline("image-classification", model=str(result.folder))
    photos = sorted(image_folder.rglob("*.png"))[:4]
    assert len(photos) == 4
    expected = run_to_end(classify_images(ClassifyImages(tuple(map(str, photos)), ours)))
    got = [classify(str(p))[0]["label"] for p in photos]
    assert got == [r.predictions[0].label for r in expected]


def test_image_full_mode_learns_the_colours(tiny_image_base: Path, image_folder: Path) -> None:
    spec = TrainSpec(
        "image",
        str(image_folder),
        "colours-full",
        base=str(tiny_image_base),
        mode="full",
        epochs=10,
        early_stopping=0,
    )
    result, events = train(spec)
    phases = {e.phase for e in events if isinstance(e, EpochMetrics)}
    assert phases == {"warm-up", "full"}
    # One bar across reading, warm-up and full fine-tuning: it never goes back.
    fractions = [e.fraction for e in events if isinstance(e, Progress)]
    assert fractions[0] < 0.1 and fractions[-1] == 1.0
    assert all(b >= a - 1e-9 for a, b in itertools.pairwise(fractions))
    assert any(0.2 < f < 0.4 for f in fractions) and any(0.5 < f < 0.97 for f in fractions)
    assert result.evaluation is not None and result.evaluation.accuracy >= 0.75
    evaluated = run_to_end(evaluate_model(Evaluate("image", "colours-full", str(image_folder))))
    assert evaluated.evaluation.n == 24


def test_text_full_mode_saves_a_transformers_model(
    tiny_text_base: Path, text_folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # "./text-model" is relative to the working folder
    out = output_folder("./text-model")
    assert out == tmp_path / "text-model"
    spec = TrainSpec(
        "text",
        str(text_folder),
        str(out),
        base=str(tiny_text_base),
        mode="full",
        epochs=3,
        lr=1e-3,
    )
    result, _ = train(spec)
    assert result.folder == out and (out / "model.safetensors").is_file()
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    plain = AutoModelForSequenceClassification.from_pretrained(out).eval()
    tokenizer = AutoTokenizer.from_pretrained(out)
    assert plain.config.id2label == {0: "cooking", 1: "sports"}
    card = json.loads((out / "model.json").read_text())
    assert set(card["calibration"]) == {"temperature", "unsure_below", "precision", "kept"}
    card["calibration"]["temperature"] = 2.0  # what a larger validation split would fit
    (out / "model.json").write_text(json.dumps(card))
    ours = loading.load(str(out), "text")
    texts = ["the striker scored a goal", "bake the onion with butter"]
    with torch.no_grad():
        logits = plain(**tokenizer(texts, padding=True, return_tensors="pt")).logits
    assert torch.allclose((logits / 2.0).softmax(-1), ours.probabilities(texts), atol=1e-5)
    assert "## Calibration" in (out / "README.md").read_text()


def test_text_head_mode_learns_on_the_mean_pooled_sentence_embedding(
    tiny_text_base: Path, text_folder: Path
) -> None:
    """Head mode trained a transformers classifier on tanh(pooler(first token)), a feature
    the sentence encoder never learned to give: 10 points below a probe on real reviews."""
    spec = TrainSpec("text", str(text_folder), "t-head", base=str(tiny_text_base), mode="head")
    result, _ = train(spec)
    from safetensors.torch import load_file
    from transformers import AutoModel, AutoTokenizer

    saved = load_file(str(result.folder / "model.safetensors"))
    assert set(saved) == {"weight", "bias"} and saved["weight"].shape == (2, 32)
    card = json.loads((result.folder / "head.json").read_text())
    assert card == {"encoder": str(tiny_text_base), "classes": ["cooking", "sports"]}
    readme = (result.folder / "README.md").read_text()
    assert "library_name: fmstudio" in readme
    # The saved head on the encoder's attention-masked mean, computed here without fmstudio
    texts = ["the striker scored a goal", "bake the onion with butter and a little salt"]
    tokenizer = AutoTokenizer.from_pretrained(tiny_text_base)
    encoder = AutoModel.from_pretrained(tiny_text_base).eval()
    batch = tokenizer(texts, padding=True, return_tensors="pt")
    with torch.no_grad():
        hidden = encoder(**batch).last_hidden_state
    mask = batch["attention_mask"].unsqueeze(-1).float()
    pooled = torch.nn.functional.normalize((hidden * mask).sum(1) / mask.sum(1), dim=-1)
    temperature = json.loads((result.folder / "model.json").read_text())["calibration"][
        "temperature"
    ]
    expected = ((pooled @ saved["weight"].T + saved["bias"]) / temperature).softmax(-1)
    ours = loading.load(str(result.folder), "text")
    assert torch.allclose(ours.probabilities(texts), expected, atol=1e-5)


def test_bad_dataset_is_refused_before_training(tmp_path: Path) -> None:
    (tmp_path / "only").mkdir()
    (tmp_path / "only" / "a.txt").write_text("one class only")
    with pytest.raises(FmError, match="at least 2 classes"):
        train(TrainSpec("text", str(tmp_path), "x"))
    assert not (paths.models_dir() / "x").exists()


def test_failed_save_keeps_the_old_model_and_leaves_no_temp(tmp_path: Path) -> None:
    target = tmp_path / "m"
    save_folder(target, lambda d: (d / "v").write_text("1"))

    def broken(d: Path) -> None:
        (d / "v").write_text("2")
        raise OSError(errno.ENOSPC, "No space left on device")

    with pytest.raises(FmError, match="No space left on device; the model saved there before"):
        save_folder(target, broken)
    assert (target / "v").read_text() == "1"
    assert [p.name for p in tmp_path.iterdir()] == ["m"]
    save_folder(target, lambda d: (d / "v").write_text("3"))
    assert (target / "v").read_text() == "3" and [p.name for p in tmp_path.iterdir()] == ["m"]


def test_never_overwrites_a_folder_that_is_not_a_model(tmp_path: Path, text_folder: Path) -> None:
    precious = tmp_path / "Documents"
    precious.mkdir()
    (precious / "thesis.txt").write_text("years of work")
    with pytest.raises(FmError, match="not an fmstudio model"):
        train(TrainSpec("text", str(text_folder), str(precious), mode="head"))
    assert (precious / "thesis.txt").read_text() == "years of work"


def test_dataset_hash_follows_content(tmp_path: Path, image_folder: Path) -> None:
    copy = tmp_path / "copy"
    shutil.copytree(image_folder, copy)
    assert dataset_hash(scan(copy, "image")) == dataset_hash(scan(image_folder, "image"))
    first = sorted((copy / "red").iterdir())[0]
    first.write_bytes((copy / "blue" / "blue_0.png").read_bytes()[:-1] + b"\0")
    assert dataset_hash(scan(copy, "image")) != dataset_hash(scan(image_folder, "image"))


def test_class_weights_only_when_imbalanced(tmp_path: Path) -> None:
    from tests.datasets import make_text_folder

    balanced = scan(make_text_folder(tmp_path / "b", 10), "text")
    assert class_weights(balanced) is None
    root = make_text_folder(tmp_path / "i", 12)
    for f in sorted((root / "cooking").iterdir())[3:]:
        f.unlink()
    weights = class_weights(scan(root, "text", val_split=0))
    assert weights is not None and weights[0] > 1 > weights[1]


def test_output_names_and_paths(fm_home: Path) -> None:
    assert output_folder("flowers v2") == paths.models_dir() / "flowers v2"
    assert output_folder("./here").is_absolute()
    with pytest.raises(FmError):
        output_folder("bad:name*")


def test_eval_json_shape_and_unknown_classes(
    tiny_image_base: Path, image_folder: Path, tmp_path: Path
) -> None:
    train(TrainSpec("image", str(image_folder), "c2", base=str(tiny_image_base), mode="head"))
    data = tmp_path / "eval"
    shutil.copytree(image_folder, data)
    from tests.datasets import make_image_folder

    other = make_image_folder(tmp_path / "other", seed=5)
    shutil.copytree(other / "red", data / "green")
    result = run_to_end(evaluate_model(Evaluate("image", "c2", str(data))))
    out = result.evaluation.to_json()
    assert set(out) == {"accuracy", "macro_f1", "per_class", "labels", "confusion_matrix", "n"}
    assert out["labels"] == ["blue", "red"] and out["n"] == 24
    assert set(out["per_class"]["red"]) == {"precision", "recall", "f1", "support"}
    assert sum(map(sum, out["confusion_matrix"])) == 24
    assert len(result.skipped) == 12 and "green" in result.skipped[0][1]


# --- one short real run per task with the bundled backbones --------------------------------


@pytest.mark.slow
def test_real_image_head_run_with_bundled_efficientnet(tmp_path: Path) -> None:
    """sklearn's digits (real handwriting), 3 classes, frozen EfficientNet-Lite0 features."""
    import numpy as np
    from PIL import Image
    from sklearn.datasets import load_digits

    digits = load_digits()
    for label in (0, 1, 7):
        folder = tmp_path / "digits" / str(label)
        folder.mkdir(parents=True)
        picks = np.flatnonzero(digits.target == label)[:10]
        for i in picks:
            pixels = (255 - digits.images[i] * 16).clip(0, 255).astype("uint8")
            Image.fromarray(pixels).resize((64, 64)).convert("RGB").save(folder / f"{i}.png")
    result, _ = train(
        TrainSpec("image", str(tmp_path / "digits"), "digits", mode="head", val_split=0.3)
    )
    assert result.evaluation.accuracy >= 0.8
    found = result.thresholds  # the calibrated validation scores the Evaluate page draws
    assert found is not None and found.probs.shape == (result.evaluation.n, 3)
    assert np.allclose(found.probs.sum(axis=1), 1.0)
    assert read_card(Path(result.folder))["calibration"] == found.calibration.to_json()


@pytest.mark.slow
def test_real_text_full_run_with_bundled_minilm(text_folder: Path) -> None:
    result, _ = train(TrainSpec("text", str(text_folder), "topics", mode="full", epochs=2))
    assert result.evaluation.accuracy >= 0.8
    (r,) = run_to_end(
        classify_texts(
            ClassifyTexts(texts=("a penalty in the last minute of the match",), model="topics")
        )
    )
    assert r.top.label == "sports"


def test_broken_run_state_is_a_clear_error(tmp_path: Path, text_folder: Path) -> None:
    from fmstudio.core.train.checkpoints import RunDir

    target = tmp_path / "model"
    run = RunDir(target)
    run.path.mkdir(parents=True)
    (run.path / "checkpoint.pt").write_bytes(b"half a checkpoint")
    spec = TrainSpec("text", str(text_folder), str(target), mode="head", epochs=1)
    with pytest.raises(FmError, match="cannot be read"):
        train(spec, resume=True)
    run.checkpoint_path.unlink()
    with pytest.raises(FmError, match=r"run\.json is missing"):
        run.info()
    (run.path / "run.json").write_text("{not json")
    with pytest.raises(FmError, match="cannot be read"):
        run.info()


def test_mistakes_on_images_carry_thumbnails_made_in_the_core(image_folder: Path) -> None:
    from fmstudio.core.classify.evaluate import with_thumbnails
    from fmstudio.core.classify.metrics import Misclassified

    path = str(next(image_folder.rglob("*.png")))
    (m,) = with_thumbnails([Misclassified(path, "red", "blue", 0.6)])
    assert m.thumbnail is not None and max(m.thumbnail.width, m.thumbnail.height) <= 64
    (text,) = with_thumbnails([Misclassified("a.txt", "x", "y", 0.5, text="words")])
    assert text.thumbnail is None


def test_image_training_runs_channels_last_and_saves_the_usual_layout(
    tiny_image_base: Path, tmp_path: Path
) -> None:
    """Channels-last is faster on the CPU (benchmarks/bench_train.py); a saved model must still
    be plain safetensors in PyTorch's default layout, equal to the trained weights."""
    from safetensors.torch import load_file

    from fmstudio.core.train.finetuner import load_finetuner

    tuner = load_finetuner("image", str(tiny_image_base), ["a", "b"], "cpu")
    convs = [m.weight for m in tuner.model.modules() if isinstance(m, torch.nn.Conv2d)]
    assert convs and all(w.is_contiguous(memory_format=torch.channels_last) for w in convs)
    batch, targets = tuner.collate([(torch.rand(3, 8, 8), 0), (torch.rand(3, 8, 8), 1)])
    assert batch.is_contiguous(memory_format=torch.channels_last) and targets.tolist() == [0, 1]
    trained = {k: v.clone() for k, v in tuner.model.state_dict().items()}
    tuner.save(tmp_path)
    saved = load_file(tmp_path / "model.safetensors")
    assert saved.keys() == trained.keys()
    assert all(saved[k].is_contiguous() and torch.equal(saved[k], trained[k]) for k in saved)
