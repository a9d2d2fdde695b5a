"""Retraining starts from a model's card; the comparison lists the files whose verdict changed."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from fmstudio.core import loading
from fmstudio.core.classify.compare import changed_verdicts
from fmstudio.core.classify.evaluate import EvalResult
from fmstudio.core.classify.metrics import score_predictions
from fmstudio.core.classify.results import ItemResult, Prediction
from fmstudio.core.classify.retrain import retrain_spec
from fmstudio.core.classify.scan import Sample
from fmstudio.core.classify.train_job import fine_tune
from fmstudio.core.errors import FmError
from fmstudio.core.events import run_to_end
from fmstudio.core.train.spec import TrainSpec
from tests.datasets import make_text_folder


def test_retrain_spec_is_the_cards_and_refuses_what_it_cannot(
    tmp_path: Path, tiny_text_base: Path
) -> None:
    data = make_text_folder(tmp_path / "texts", per_class=4)
    spec = TrainSpec(
        "text", str(data), "t1", base=str(tiny_text_base), mode="head", epochs=3, lr=0.01, seed=5
    )
    trained = run_to_end(fine_tune(spec))
    again = retrain_spec("t1", "text")
    assert (again.data, again.base, again.output) == (str(data), str(tiny_text_base), "")
    assert (again.mode, again.epochs, again.lr, again.seed) == ("head", 3, 0.01, 5)

    with pytest.raises(FmError, match="not trained by fmstudio"):
        retrain_spec(str(tiny_text_base), "text")
    card = json.loads((trained.folder / "model.json").read_text())
    card["hyperparameters"]["mode"] = "sideways"
    (trained.folder / "model.json").write_text(json.dumps(card))
    with pytest.raises(FmError, match="settings fmstudio cannot use"):
        retrain_spec("t1", "text")
    shutil.rmtree(data)
    with pytest.raises(FmError, match="no longer there"):
        retrain_spec("t1", "text")


def _evaluated(truth: dict[str, str], predicted: dict[str, str]) -> EvalResult:
    samples = [Sample(p, label) for p, label in truth.items() if p in predicted]
    results = [ItemResult(s.path, (Prediction(predicted[s.path], 0.9),)) for s in samples]
    labels = sorted(set(truth.values()))
    index = {label: i for i, label in enumerate(labels)}
    evaluation = score_predictions(
        labels, [index[s.label] for s in samples], [index[predicted[s.path]] for s in samples]
    )
    return EvalResult(evaluation, results=results, samples=samples)


def test_changed_verdicts_are_fixes_and_breaks_on_common_files() -> None:
    truth = {"a": "cat", "b": "cat", "c": "dog", "d": "dog", "e": "bird"}
    before = _evaluated(truth, {"a": "dog", "b": "cat", "c": "dog", "d": "cat"})
    after = _evaluated(truth, {"a": "cat", "b": "dog", "c": "dog", "d": "bird", "e": "bird"})
    changed = {c.path: c for c in changed_verdicts(before, after)}
    assert set(changed) == {"a", "b"}, "d is wrong both times; e only the new model judged"
    assert changed["a"].fixed and not changed["b"].fixed
    assert (changed["b"].before, changed["b"].after) == ("cat", "dog")


def test_a_model_saved_over_another_is_not_served_from_the_cache(
    tmp_path: Path, tiny_text_base: Path
) -> None:
    from fmstudio.core.library import publish, staging_folder

    data = make_text_folder(tmp_path / "texts", per_class=4)
    spec = TrainSpec("text", str(data), "same name", base=str(tiny_text_base), mode="head")
    run_to_end(fine_tune(spec))
    first = loading.cached_load("same name", "text")
    staging = staging_folder()
    run_to_end(fine_tune(TrainSpec("text", str(data), str(staging), base=str(tiny_text_base))))
    publish(staging, "same name")
    assert loading.cached_load("same name", "text") is not first


def test_naming_a_staged_model_moves_it_and_leaves_its_card_as_written(
    fm_home: Path, tiny_text_base: Path
) -> None:
    from fmstudio.core.library import publish, read_card, staging_folder

    data = make_text_folder(fm_home / "texts", per_class=4)
    staging = staging_folder()
    run_to_end(fine_tune(TrainSpec("text", str(data), str(staging), base=str(tiny_text_base))))
    written = {n: (staging / n).read_bytes() for n in ("model.json", "README.md")}
    target = publish(staging, "pets")
    assert {n: (target / n).read_bytes() for n in written} == written
    assert read_card(target)["name"] == "pets" and not staging.exists()
    assert "unsaved" not in written["README.md"].decode()


def test_a_model_published_elsewhere_still_finds_its_dataset_to_retrain(
    fm_home: Path, tiny_text_base: Path, tmp_path: Path
) -> None:
    """The card keeps paths relative to the model's folder (a shared folder carries no
    /home/...), so a model saved outside the library has them written again from there."""
    from fmstudio.core.library import publish, read_card, staging_folder

    data = make_text_folder(fm_home / "texts", per_class=4)
    staging = staging_folder()
    run_to_end(fine_tune(TrainSpec("text", str(data), str(staging), base=str(tiny_text_base))))
    target = publish(staging, str(tmp_path / "elsewhere" / "deep" / "pets"))
    assert str(data) not in (target / "model.json").read_text()
    assert read_card(target)["dataset"]["path"] == str(data)
    assert read_card(target)["base_model"] == str(tiny_text_base)
    assert retrain_spec(str(target), "text").data == str(data)


def test_a_base_named_by_a_relative_folder_is_found_again_from_the_model(
    fm_home: Path, tiny_text_base: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`--base ./tiny-bert` is relative to where training ran, not to the model's folder."""
    from fmstudio.core.library import read_card

    data = make_text_folder(fm_home / "texts", per_class=4)
    monkeypatch.chdir(tiny_text_base.parent)
    base = f"./{tiny_text_base.name}"
    trained = run_to_end(fine_tune(TrainSpec("text", str(data), "relative", base=base)))
    monkeypatch.chdir(fm_home)
    assert read_card(trained.folder)["base_model"] == str(tiny_text_base.resolve())
