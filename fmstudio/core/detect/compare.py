"""Compare a retrained detector with the one it replaces, on the same held-out images.

Both are measured by the evaluate job, so the figures are those `fmstudio eval detect` gives;
the images where the new model misses or invents fewer (or more) objects are listed.
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass, replace

from fmstudio.core.data.report import relative_path
from fmstudio.core.detect.evaluate import DetectionEvaluation, evaluate_detector
from fmstudio.core.detect.metrics import ImageMistakes, score
from fmstudio.core.detect.scan import BoxReport
from fmstudio.core.events import CancelToken, Event, Log
from fmstudio.core.requests import Compare, Evaluate


@dataclass(frozen=True)
class ImageChange:
    """A held-out image where the two models make a different number of mistakes."""

    path: str
    before: ImageMistakes
    after: ImageMistakes

    @property
    def better(self) -> bool:
        return _errors(self.after) < _errors(self.before)


def _errors(mistakes: ImageMistakes) -> int:
    return mistakes.missed + mistakes.false


@dataclass
class DetectComparison:
    root: str
    previous_name: str
    previous: DetectionEvaluation
    current: DetectionEvaluation
    changed: list[ImageChange]

    change_headers = ("image", "missed before", "false before", "missed now", "false now")

    def figures(self) -> list[tuple[str, str, str, str]]:
        """(figure, previous, new, change) as the wizard shows them."""
        old, new = self.previous.scores, self.current.scores
        pairs = (("mAP", old.map, new.map), ("mAP@0.5", old.map_50, new.map_50),
                 ("recall", old.recall, new.recall))  # fmt: skip
        return [(n, f"{o:.3f}", f"{a:.3f}", f"{a - o:+.3f}") for n, o, a in pairs]

    def summary(self) -> str:
        better = sum(c.better for c in self.changed)
        return (
            f"On the same {self.current.scores.images} held-out images as "
            f"{self.previous_name}: {better} with fewer mistakes, "
            f"{len(self.changed) - better} with more (at score {self.current.scores.threshold})."
        )

    def change_rows(self) -> list[tuple[tuple[str, ...], str, bool]]:
        """Each changed image's cells, its path, and whether the new model is the better."""
        rows = []
        for c in self.changed:
            counts = (c.before.missed, c.before.false, c.after.missed, c.after.false)
            cells = (relative_path(c.path, self.root), *map(str, counts))
            rows.append((cells, c.path, c.better))
        return rows


def mistakes_by_image(evaluation: DetectionEvaluation) -> dict[str, ImageMistakes]:
    """Every measured image's misses and false boxes at the evaluation's threshold."""
    truth, found = evaluation.images, evaluation.found
    every = score(truth, found, evaluation.classes, evaluation.scores.threshold, len(truth))
    counted = {m.path: m for m in every.worst}
    return {im.path: counted.get(im.path, ImageMistakes(im.path, 0, 0)) for im in truth}


def changed_images(
    previous: DetectionEvaluation, current: DetectionEvaluation
) -> list[ImageChange]:
    """Images both models saw where the number of mistakes differs, the new model's best
    improvements first."""
    before, after = mistakes_by_image(previous), mistakes_by_image(current)
    changed = [
        ImageChange(path, before[path], now)
        for path, now in after.items()
        if path in before and _errors(before[path]) != _errors(now)
    ]
    return sorted(changed, key=lambda c: _errors(c.after) - _errors(c.before))


def compare_detectors(
    request: Compare, *, report: BoxReport, cancel: CancelToken | None = None
) -> Generator[Event, None, DetectComparison]:
    """Both models on `report.val`: the images the new model was validated on."""
    cancel = cancel or CancelToken()
    held = replace(report, train=[], split="folders")  # measured() is then report.val
    ask = Evaluate(request.task, request.previous, report.root, device=request.device)
    previous = yield from evaluate_detector(ask, cancel=cancel, report=held)
    current = yield from evaluate_detector(
        replace(ask, model=request.current), cancel=cancel, report=held
    )
    result = DetectComparison(
        report.root, request.previous, previous, current, changed_images(previous, current)
    )
    better = sum(c.better for c in result.changed)
    yield Log(f"{better} images better and {len(result.changed) - better} worse with the new model")
    return result
