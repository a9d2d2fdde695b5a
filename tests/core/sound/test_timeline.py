"""Which sound when, from per-patch scores: runs merged, unclear stretches left out, spans."""

from __future__ import annotations

import numpy as np
import pytest

from fmstudio.core.sound.timeline import patch_span, timeline, top_sounds

LABELS = ["Speech", "Dog", "Music"]


def _scores(*rows: tuple[float, float, float]) -> np.ndarray:
    return np.array(rows, dtype=np.float32)


def test_runs_of_one_best_sound_merge_and_unclear_patches_are_left_out() -> None:
    scores = _scores((0.9, 0.1, 0), (0.8, 0.1, 0), (0.1, 0.1, 0.15), (0.1, 0.7, 0), (0.2, 0.9, 0))
    segments = timeline(scores, LABELS, duration=2.9, min_score=0.2)
    assert [(s.label, round(s.start, 2), round(s.end, 2)) for s in segments] == [
        ("Speech", 0.0, 1.2),  # patches 0-1: from the start to the middle of patch 1's window
        ("Dog", 1.68, 2.9),  # patches 3-4: the last one runs to the end of the clip
    ]
    assert segments[1].score == pytest.approx(0.8)


def test_a_patch_speaks_for_the_middle_of_its_window() -> None:
    assert patch_span(1, 3, 1.92) == pytest.approx((0.72, 1.2))
    assert patch_span(0, 1, 0.3) == (0.0, 0.3)  # a clip of one short patch


def test_top_sounds_go_by_the_mean_not_one_patchs_peak() -> None:
    scores = _scores((0.6, 0.0, 0), (0.6, 0.0, 0), (0.6, 0.99, 0), (0.6, 0.0, 0))
    top = top_sounds(scores, LABELS, 2)
    assert [p.label for p in top] == ["Speech", "Dog"]
    assert top[0].score == pytest.approx(0.6) and top[1].score == pytest.approx(0.2475)
