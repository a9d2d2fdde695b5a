from __future__ import annotations

import pytest

from fmstudio.core.classify.metrics import misclassified, score_predictions


def test_metrics_match_a_hand_worked_example() -> None:
    # true:      a a a b b c
    # predicted: a a b b c c
    result = score_predictions(["a", "b", "c"], [0, 0, 0, 1, 1, 2], [0, 0, 1, 1, 2, 2])
    assert result.confusion == [[2, 1, 0], [0, 1, 1], [0, 0, 1]]
    assert result.accuracy == pytest.approx(4 / 6)
    per = result.per_class()
    assert per["a"] == {
        "precision": 1.0,
        "recall": pytest.approx(2 / 3),
        "f1": pytest.approx(0.8),
        "support": 3,
    }
    assert per["b"]["precision"] == pytest.approx(0.5) and per["b"]["recall"] == pytest.approx(0.5)
    assert per["c"]["f1"] == pytest.approx(2 / 3)
    assert result.macro_f1 == pytest.approx((0.8 + 0.5 + 2 / 3) / 3)
    data = result.to_json()
    assert set(data) == {"accuracy", "macro_f1", "per_class", "labels", "confusion_matrix", "n"}
    assert data["n"] == 6


def test_class_never_seen_or_predicted() -> None:
    result = score_predictions(["x", "y", "z"], [0, 0], [0, 1])
    assert result.per_class()["z"] == {"precision": 0.0, "recall": 0.0, "f1": 0.0, "support": 0}
    assert result.macro_f1 == pytest.approx(2 / 3)  # only x occurs: P=1, R=0.5


def test_length_mismatch_is_an_error() -> None:
    with pytest.raises(ValueError, match="2 true labels but 1 predictions"):
        score_predictions(["a"], [0, 0], [0])


def test_misclassified_keeps_only_wrong_predictions_with_their_scores() -> None:
    from fmstudio.core.classify.scan import Sample

    samples = [Sample("a.txt", "x", "alpha"), Sample("b.txt", "y"), Sample("c.txt", "y")]
    wrong = misclassified(samples, ["x", "x", "y"], [0.9, 0.6, 0.8])
    assert [(m.path, m.truth, m.predicted, m.score) for m in wrong] == [("b.txt", "y", "x", 0.6)]
    with pytest.raises(ValueError):
        misclassified(samples, ["x"], [0.9])
