"""Which sound when: each 0.96 s patch's best class, runs of the same class merged into
segments, and the clip's top sounds."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from fmstudio.core.classify.results import Prediction
from fmstudio.core.sound.frontend import PATCH_HOP_S, PATCH_S
from fmstudio.core.sound.requests import MIN_SCORE
from fmstudio.core.sound.results import SoundSegment


def patch_span(index: int, count: int, duration: float) -> tuple[float, float]:
    """The part of the clip patch `index` stands for: patches overlap by half, so each
    speaks for the middle of its window (the first from 0, the last to the end)."""
    middle = index * PATCH_HOP_S + PATCH_S / 2
    start = 0.0 if index == 0 else middle - PATCH_HOP_S / 2
    end = duration if index == count - 1 else middle + PATCH_HOP_S / 2
    return start, max(start, min(end, duration))


def timeline(
    scores: np.ndarray, labels: Sequence[str], duration: float, min_score: float = MIN_SCORE
) -> list[SoundSegment]:
    """Segments of the patches' best classes (those scoring at least `min_score`)."""
    best = scores.argmax(axis=1)
    segments: list[SoundSegment] = []
    run: list[int] = []
    for index in range(len(scores) + 1):
        ends = index == len(scores) or not run or best[index] != best[run[0]]
        if run and ends:
            label = int(best[run[0]])
            mean = float(scores[run, label].mean())
            if mean >= min_score:
                start = patch_span(run[0], len(scores), duration)[0]
                end = patch_span(run[-1], len(scores), duration)[1]
                segments.append(SoundSegment(start, end, labels[label], mean))
            run = []
        if index < len(scores):
            run.append(index)
    return segments


def top_sounds(scores: np.ndarray, labels: Sequence[str], k: int) -> tuple[Prediction, ...]:
    """The clip's sounds by their mean score over its patches (YAMNet's own summary). Their
    peaks would not do: on the AMI meeting clips speech and silence both peak at 1.0 in most
    clips, and one patch's false alarm ("stomach rumble" 0.98) led; a short sound shows in the
    timeline instead."""
    mean = scores.mean(axis=0)
    order = np.argsort(-mean)[: max(1, k)]
    return tuple(Prediction(labels[i], float(mean[i])) for i in order)
