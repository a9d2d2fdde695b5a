"""The classifier family's evaluation view: a recording the model got wrong plays on request."""

from __future__ import annotations

import sys
import types
from pathlib import Path

import numpy as np
import pytest

from fmstudio.core.classify.metrics import Misclassified, score_predictions
from fmstudio.ui.widgets.evaluation_view import EvaluationView
from tests.datasets import sound, write_wav


@pytest.fixture
def speaker(monkeypatch: pytest.MonkeyPatch) -> list[np.ndarray]:
    """This machine has no sound card: sounddevice's play and stop, recording what is played."""
    played: list[np.ndarray] = []
    fake = types.SimpleNamespace(
        play=lambda samples, rate: played.append(samples), stop=lambda: None
    )
    monkeypatch.setitem(sys.modules, "sounddevice", fake)
    return played


def test_a_misheard_recording_plays_when_activated_and_a_photo_does_not(
    qtbot, tmp_path: Path, speaker: list[np.ndarray]
) -> None:
    clip = write_wav(tmp_path / "hiss.wav", sound("noise", 1.5, 3))
    photo = tmp_path / "cat.png"
    photo.write_bytes(b"")
    view = EvaluationView()
    qtbot.addWidget(view)
    evaluation = score_predictions(["noise", "tone"], [0, 1, 1], [1, 1, 0])
    view.show_result(
        evaluation,
        [
            Misclassified(str(clip), "noise", "tone", 0.7),
            Misclassified(str(photo), "tone", "noise", 0.6),
        ],
    )
    assert view.mistakes.count() == 2
    view.mistakes.itemActivated.emit(view.mistakes.item(1))
    view.mistakes.itemActivated.emit(view.mistakes.item(0))
    qtbot.waitUntil(lambda: len(speaker) == 1 and not view.player.jobs.is_busy(), timeout=10_000)
    assert len(speaker[0]) == 24_000  # the whole 1.5 s, at 16 kHz
    view.shutdown()


def test_the_threshold_view_draws_each_class_and_marks_the_unsure_threshold(qtbot) -> None:
    from fmstudio.core.classify.calibration import Thresholds, calibrate, softmax

    rng = np.random.default_rng(0)
    labels = rng.integers(0, 3, size=200)
    logits = rng.normal(size=(200, 3)) + 2.5 * np.eye(3)[labels]
    found = calibrate(logits, labels)
    view = EvaluationView()
    qtbot.addWidget(view)
    view.show()
    thresholds = Thresholds(["a", "b", "c"], softmax(logits, found.temperature), labels, found)
    view.thresholds.show_thresholds(thresholds)
    assert view.thresholds.isVisible() and view.thresholds.cls.count() == 3
    assert view.thresholds.marker.value() == found.unsure_below
    assert f"Unsure below {found.unsure_below:.0%}" in view.thresholds.caption.text()
    _, first = view.thresholds.recall.getData()
    view.thresholds.cls.setCurrentIndex(2)
    _, third = view.thresholds.recall.getData()
    assert first[0] > 0.5 and not np.array_equal(first, third)  # each class its own curve
    view.show_evaluated(types.SimpleNamespace(evaluation=None, misclassified=[]))
    assert not view.thresholds.isVisible()  # an evaluation alone has no validation logits
