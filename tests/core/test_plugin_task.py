"""A new classifier task plugs in as a row plus its own package, with no other module edited.

The tone task (`tests/plugin/tone.py`) is not part of fmstudio: it registers its row, and the
real scan, fine-tune job, library, catalogue, evaluate job and CLI parser take it from there.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from fmstudio.core import catalog, modalities
from fmstudio.core.classify.evaluate import evaluate_model
from fmstudio.core.classify.scan import scan
from fmstudio.core.classify.train_job import fine_tune
from fmstudio.core.events import run_to_end
from fmstudio.core.modalities import import_target, modality
from fmstudio.core.requests import Evaluate
from fmstudio.core.train.spec import TrainSpec
from tests.datasets import write_tone
from tests.plugin import tone

FREQUENCIES = {"low": (220, 260, 300, 340, 380, 420), "high": (1500, 1700, 1900, 2100, 2300)}


@pytest.fixture
def tone_task(monkeypatch: pytest.MonkeyPatch) -> modalities.Modality:
    monkeypatch.setitem(modalities.MODALITIES, tone.TONE.task, tone.TONE)
    return tone.TONE


def make_tones(root: Path) -> Path:
    for label, freqs in FREQUENCIES.items():
        (root / label).mkdir(parents=True)
        for f in freqs:
            write_tone(root / label / f"{f}hz.wav", 1.0, 0.3, f)
    (root / "low" / "broken.wav").write_bytes(b"RIFF not really")
    return root


@pytest.mark.parametrize("mode", ["head", "full"])
def test_a_tone_classifier_trains_classifies_and_is_listed(
    tone_task: modalities.Modality, tmp_path: Path, mode: str
) -> None:
    data = make_tones(tmp_path / "tones")
    base = tone.build_base(tmp_path / "tone-base")

    report = scan(data, "tone", val_split=0.34)
    assert report.ok and report.classes == ["high", "low"]
    assert [s.path for s in report.skipped] == [str(data / "low" / "broken.wav")]

    spec = TrainSpec("tone", str(data), f"tones-{mode}", base=str(base), mode=mode, val_split=0.34)
    assert "tone" in modalities.trainable_tasks()
    result = run_to_end(fine_tune(spec, report=report))
    assert result.spec.lr == tone_task.defaults().lr[mode]  # the row's defaults were used
    assert result.evaluation is not None and result.evaluation.accuracy == 1.0

    card = json.loads((result.folder / "model.json").read_text())
    assert card["task"] == "tone" and card["classes"] == ["high", "low"]
    readme = (result.folder / "README.md").read_text()
    assert "pipeline_tag: audio-classification" in readme

    listed = [e for e in catalog.list_models("tone") if e.name == f"tones-{mode}"]
    assert len(listed) == 1 and not listed[0].problem and listed[0].source == "library"

    new_tones = [write_tone(tmp_path / f"t{f}.wav", 1.0, 0.3, f) for f in (300, 2000)]
    ask = tone.ClassifyTones(tuple(str(p) for p in new_tones), f"tones-{mode}")
    ranked = run_to_end(import_target(modality("tone").run)(ask))
    assert [r.top.label for r in ranked if r.top] == ["low", "high"]

    evaluated = run_to_end(evaluate_model(Evaluate("tone", f"tones-{mode}", str(data))))
    assert evaluated.evaluation.accuracy == 1.0
    assert evaluated.evaluation.n == sum(len(f) for f in FREQUENCIES.values())  # not broken.wav


def test_the_cli_and_the_table_offer_a_registered_task(tone_task: modalities.Modality) -> None:
    from fmstudio.cli import build_parser

    args = build_parser().parse_args(["models", "--task", "tone"])
    assert args.task == "tone"
    assert build_parser().parse_args(["eval", "tone", "data", "--model", "m"]).task == "tone"
    with pytest.raises(ValueError, match="head"):
        TrainSpec("speech", "d", "o", mode="head")
    assert modality("tone").defaults().modes == ("head", "full")


def test_the_table_holds_what_a_task_needs(tone_task: modalities.Modality) -> None:
    """Every row's dotted paths name code that exists, so a typo fails here, not in a job."""
    for task in modalities.tasks():
        row = modality(task)
        paths = [row.models, row.run, row.train, row.scan, row.evaluate, row.tab, row.cli]
        paths += [row.finetuner or "", row.exportable or "", row.family.report_evaluation]
        if row.family is modalities.CLASSIFIER:
            paths += [row.examples_request, row.read_example]
        for dotted in filter(None, paths):
            assert import_target(dotted) is not None, (task, dotted)
