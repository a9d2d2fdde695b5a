"""Which sound when: each window's best class, runs of the same class merged into segments,
and the clip's top sounds. Windows overlap by half: YAMNet's 0.96 s patches every 0.48 s by
default, a trained classifier's 2.3 s windows every 1.16 s."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from fmstudio.core.classify.results import Prediction
from fmstudio.core.sound.frontend import PATCH_HOP_S, PATCH_S
from fmstudio.core.sound.requests import MIN_SCORE
from fmstudio.core.sound.results import SoundSegment


def patch_span(
    index: int, count: int, duration: float, window: float = PATCH_S, hop: float = PATCH_HOP_S
) -> tuple[float, float]:
    """The part of the clip window `index` stands for: windows overlap by half, so each
    speaks for its middle (the first from 0, the last to the end)."""
    middle = index * hop + window / 2
    start = 0.0 if index == 0 else middle - hop / 2
    end = duration if index == count - 1 else middle + hop / 2
    return start, max(start, min(end, duration))


def timeline(
    scores: np.ndarray,
    labels: Sequence[str],
    duration: float,
    min_score: float = MIN_SCORE,
    spacing: tuple[float, float] = (PATCH_S, PATCH_HOP_S),
) -> list[SoundSegment]:
    """Segments of the windows' best classes (those scoring at least `min_score`);
    `spacing`: each window's length and the hop between them, in seconds."""
    best = scores.argmax(axis=1)
    segments: list[SoundSegment] = []
    run: list[int] = []
    for index in range(len(scores) + 1):
        ends = index == len(scores) or not run or best[index] != best[run[0]]
        if run and ends:
            label = int(best[run[0]])
            mean = float(scores[run, label].mean())
            if mean >= min_score:
                start = patch_span(run[0], len(scores), duration, *spacing)[0]
                end = patch_span(run[-1], len(scores), duration, *spacing)[1]
                segments.append(SoundSegment(start, end, labels[label], mean))
            run = []
        if index < len(scores):
            run.append(index)
    return segments


def top_sounds(
    scores: np.ndarray, labels: Sequence[str], k: int, weights: np.ndarray | None = None
) -> tuple[Prediction, ...]:
    """The clip's sounds by their mean score over its windows (YAMNet's own summary), each
    window weighted by `weights` where given. Their peaks would not do: on the AMI meeting
    clips speech and silence both peak at 1.0 in most clips, and one patch's false alarm
    ("stomach rumble" 0.98) led; a short sound shows in the timeline instead."""
    mean = np.average(scores, axis=0, weights=weights)
    order = np.argsort(-mean)[: max(1, k)]
    return tuple(Prediction(labels[i], float(mean[i])) for i in order)
