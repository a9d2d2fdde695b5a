"""Temperature scaling and the unsure threshold, on numbers whose answer is known."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from fmstudio.core.classify.calibration import (
    Calibration,
    calibrate,
    calibration_of,
    fit_temperature,
    precision_recall,
    softmax,
    unsure_threshold,
)


def test_the_fitted_temperature_is_the_one_the_labels_were_drawn_with() -> None:
    rng = np.random.default_rng(0)
    logits = rng.normal(scale=6.0, size=(4000, 5))
    truth = softmax(logits, 2.5)
    labels = np.array([rng.choice(5, p=p) for p in truth])
    assert abs(fit_temperature(logits, labels) - 2.5) < 0.25
    assert abs(fit_temperature(logits / 2.5, labels) - 1.0) < 0.1


def test_the_threshold_keeps_predictions_right_95_percent_of_the_time() -> None:
    top = np.linspace(0.5, 1.0, 100)
    probs = np.stack([top, 1 - top], axis=1)
    labels = np.zeros(100, dtype=int)
    labels[:30] = 1  # the 30 least sure are wrong
    threshold = unsure_threshold(probs, labels)
    kept = probs[:, 0] >= threshold
    assert (labels[kept] == 0).mean() >= 0.95
    assert 0.6 < threshold < 0.7  # and keeps as many as it can: 70 right, at most 3 wrong
    assert unsure_threshold(probs, np.zeros(100, dtype=int)) == 0.0  # never wrong: none unsure
    assert unsure_threshold(probs, np.ones(100, dtype=int)) == 1.0  # always wrong: all unsure


def test_calibration_round_trips_through_model_json_and_old_cards_have_none(
    tmp_path: Path,
) -> None:
    import json

    rng = np.random.default_rng(1)
    logits = rng.normal(scale=4.0, size=(300, 3))
    labels = logits.argmax(axis=1)
    labels[:30] = (labels[:30] + 1) % 3
    found = calibrate(logits, labels)
    assert found.temperature > 0 and 0 < found.unsure_below < 1 and 0 < found.kept < 1
    (tmp_path / "model.json").write_text(json.dumps({"calibration": found.to_json()}))
    assert calibration_of(tmp_path).unsure_below == round(found.unsure_below, 4)
    (tmp_path / "model.json").write_text(json.dumps({"task": "text"}))
    assert calibration_of(tmp_path) == Calibration()
    assert Calibration.from_json({"temperature": "hot"}) == Calibration()


def test_precision_rises_and_recall_falls_as_the_threshold_rises() -> None:
    rng = np.random.default_rng(2)
    labels = rng.integers(0, 3, size=500)
    logits = rng.normal(size=(500, 3)) + 2.0 * np.eye(3)[labels]
    probs = softmax(logits)
    thresholds = np.linspace(0.0, 1.0, 21)
    precision, recall = precision_recall(probs, labels, 1, thresholds)
    assert recall[0] > 0.6 and recall[-1] == 0.0
    assert np.all(np.diff(recall) <= 1e-12)
    assert precision[12] > precision[0]
