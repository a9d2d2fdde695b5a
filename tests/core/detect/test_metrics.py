"""mAP from pycocotools on boxes whose overlap is known, and precision/recall at a threshold."""

from __future__ import annotations

import pytest

from fmstudio.core.detect.evaluate import evaluate_detector
from fmstudio.core.detect.formats import Labelled
from fmstudio.core.detect.metrics import score
from fmstudio.core.detect.results import Box
from fmstudio.core.events import run_to_end
from fmstudio.core.requests import Evaluate
from tests.datasets import make_photo_boxes

CAT, DOG = Box("cat", 1, (0, 0, 100, 100)), Box("dog", 1, (200, 0, 300, 100))
TRUTH = [
    Labelled("a.png", (CAT, DOG), (400, 200)),
    Labelled("b.png", (Box("cat", 1, (50, 50, 150, 150)),), (400, 200)),
]


def test_a_model_that_finds_nothing_scores_zero_on_each_class_with_objects() -> None:
    result = score(TRUTH, [[], []], ["cat", "dog", "bird"], 0.3)
    assert result.map == 0 and result.per_class == {"cat": 0.0, "dog": 0.0, "bird": -1.0}
    assert {w.path: w.missed for w in result.worst} == {"a.png": 2, "b.png": 1}


def test_perfect_boxes_score_one() -> None:
    found = [list(im.boxes) for im in TRUTH]
    result = score(TRUTH, found, ["cat", "dog"], 0.3)
    assert result.map == pytest.approx(1.0) and result.map_50 == pytest.approx(1.0)
    assert result.precision == 1.0 and result.recall == 1.0 and result.worst == []


def test_boxes_that_overlap_by_0_62_count_at_three_of_ten_iou_thresholds() -> None:
    """IoU 0.62 passes 0.5, 0.55 and 0.6 of COCO's ten thresholds: mAP 0.3, mAP@0.5 1."""
    shifted = [[Box(b.label, 0.9, (b.box[0] + 23.5, b.box[1], b.box[2] + 23.5, b.box[3]))
                for b in im.boxes] for im in TRUTH]  # fmt: skip
    iou = (100 - 23.5) / (100 + 23.5)
    assert 0.6 < iou < 0.65
    result = score(TRUTH, shifted, ["cat", "dog"], 0.3)
    assert result.map_50 == pytest.approx(1.0)
    assert result.map == pytest.approx(0.3, abs=0.01)


def test_false_boxes_and_misses_at_the_threshold_are_counted_per_image() -> None:
    found = [
        [TRUTH[0].boxes[0], Box("dog", 0.8, (0, 150, 50, 200))],  # dog missed, one false dog
        [Box("cat", 0.2, (50, 50, 150, 150))],  # right, but under the threshold
    ]
    result = score(TRUTH, found, ["cat", "dog"], 0.3)
    assert result.precision == pytest.approx(1 / 2) and result.recall == pytest.approx(1 / 3)
    worst = {w.path: (w.missed, w.false) for w in result.worst}
    assert worst == {"a.png": (1, 1), "b.png": (1, 0)}
    assert result.per_class["dog"] == pytest.approx(0.0)


def test_the_bundled_detector_measured_on_hand_boxed_real_photos(tmp_path) -> None:
    """Four objects boxed by hand and a background photo."""
    data = make_photo_boxes(tmp_path)
    request = Evaluate("detect", "centernet-coco", str(data), device="cpu")
    result = run_to_end(evaluate_detector(request))
    assert result.classes == ["cat", "motorcycle", "person", "cup"]
    assert result.scores.images == 5 and result.scores.objects == 4
    assert result.scores.map_50 >= 0.99  # each object found with IoU over 0.5
    assert 0.4 < result.scores.map < 0.95
    assert result.scores.recall == 1.0
