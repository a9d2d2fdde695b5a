"""The detectors' fine-tune steps: mAP of the base model → read → train → mAP of the saved one.

The driver (`core/train/job.py`) runs them as it runs the classifiers' and transcribers'. The
base model is measured on the held-out images only on the classes it knows (a COCO model on
a dataset of cups: where its classes apply); the saved model is loaded back from its folder
and measured exactly as `fmstudio eval detect` and the Detect tab would run it.
"""

from __future__ import annotations

from collections.abc import Generator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fmstudio.core import catalog
from fmstudio.core.detect.evaluate import only_classes, run_detector
from fmstudio.core.detect.metrics import DetectionScores, score
from fmstudio.core.detect.models import Detector, load, load_folder
from fmstudio.core.detect.results import MIN_SCORE
from fmstudio.core.detect.scan import BoxExample, BoxReport, scan_boxes
from fmstudio.core.events import CancelToken, EtaTracker, Event, Log, PauseGate, phase
from fmstudio.core.modalities import DETECT
from fmstudio.core.train.events import EpochMetrics
from fmstudio.core.train.finetuner import Finetuner
from fmstudio.core.train.job import run
from fmstudio.core.train.loaders import loader_workers
from fmstudio.core.train.loop import FitResult, LoopConfig, fit
from fmstudio.core.train.plan import RunPlan
from fmstudio.core.train.spec import TrainSpec

BEFORE_END, TRAIN_END = 0.08, 0.94
READ_SHARE, READ_END = 0.05, 0.07


@dataclass
class DetectTrainResult:
    folder: Path
    spec: TrainSpec
    before: DetectionScores | None
    after: DetectionScores | None
    history: list[EpochMetrics] = field(default_factory=list)
    seconds: float = 0.0
    report: BoxReport | None = None

    def metrics(self) -> dict[str, float]:
        """mAP and mAP@0.5 on the held-out images, before (where the base knows the classes)
        and after training."""
        return before_and_after(self.before, self.after)


def before_and_after(
    before: DetectionScores | None, after: DetectionScores | None
) -> dict[str, float]:
    """map_before, map_50_before, map_after, map_50_after: those that were measured."""
    out: dict[str, float] = {}
    for name, scores in (("before", before), ("after", after)):
        if scores is not None:
            out[f"map_{name}"], out[f"map_50_{name}"] = scores.map, scores.map_50
    return out


def measure(
    detector: Detector, images: Sequence[BoxExample], cancel: CancelToken, what: str
) -> Generator[Event, None, DetectionScores | None]:
    """mAP of `detector` on `images`, on the classes it knows (None: it knows none)."""
    classes = [c for c in {b.label for im in images for b in im.boxes} if c in detector.classes]
    if not classes:
        return None
    tracker = EtaTracker(len(images))
    paths = [im.path for im in images]
    found = yield from run_detector(detector, paths, DETECT.default_batch, cancel, tracker)
    scores = score(only_classes(images, classes), found, sorted(classes), MIN_SCORE)
    yield Log(f"{what}: mAP {scores.map:.3f}, mAP@0.5 {scores.map_50:.3f} on {len(images)} images")
    return scores


class _Detector:
    base_end, train_end = BEFORE_END, TRAIN_END
    saving = ""

    def __init__(self) -> None:
        self.before: DetectionScores | None = None
        self.after: DetectionScores | None = None

    def scan(self, spec: TrainSpec) -> BoxReport:
        return scan_boxes(spec.data, spec.val_split, spec.seed)

    def measure_base(
        self, plan: RunPlan, report: BoxReport, cancel: CancelToken
    ) -> Generator[Event, None, None]:
        assert plan.spec.base is not None
        detector = load(catalog.resolve(plan.spec.base, DETECT.task), plan.device)
        self.before = yield from measure(detector, report.val, cancel, "before training")
        if self.before is None:
            yield Log(f"before training: {plan.spec.base} knows none of the classes")

    def train(
        self,
        finetuner: Finetuner,
        plan: RunPlan,
        report: BoxReport,
        cancel: CancelToken,
        pause: PauseGate,
    ) -> Generator[Event, None, FitResult]:
        train = yield from phase(finetuner.prepare(report.train, cancel, "training"), 0, READ_SHARE)
        val = yield from phase(
            finetuner.prepare(report.val, cancel, "validation"), READ_SHARE, READ_END
        )
        job = fit(
            finetuner.model,
            finetuner.dataset(train, [], train=plan.spec.augment),
            finetuner.dataset(val, [], train=False) if val else None,
            LoopConfig.from_spec(
                plan.spec, plan.device, "full", workers=loader_workers(plan.device)
            ),
            objective=finetuner.objective(),
            collate=finetuner.collate,
            cancel=cancel,
            pause=pause,
            checkpoint=plan.run_dir.checkpoint_path,
            resume=plan.checkpoint,
        )
        return (yield from phase(job, READ_END, 1.0))

    def measure(
        self, plan: RunPlan, report: BoxReport, fitted: FitResult
    ) -> Generator[Event, None, None]:
        yield from ()  # measured as saved (measure_saved), the way the Detect tab runs it

    def measure_saved(
        self, folder: Path, plan: RunPlan, report: BoxReport, cancel: CancelToken
    ) -> Generator[Event, None, None]:
        if not report.val:
            return
        detector = load_folder(folder, plan.target.name, plan.device, report.classes)
        self.after = yield from measure(detector, report.val, cancel, "held-out")

    def card(self, report: BoxReport) -> tuple[dict[str, Any], dict[str, Any]]:
        metrics: dict[str, Any] = {
            "val_images": len(report.val),
            **before_and_after(self.before, self.after),
        }
        if self.after is not None:
            metrics["map"], metrics["map_50"] = self.after.map, self.after.map_50
        return metrics, {"boxes": report.counts()}

    def result(
        self, plan: RunPlan, report: BoxReport, fitted: FitResult, seconds: float
    ) -> DetectTrainResult:
        return DetectTrainResult(
            plan.target, plan.spec, self.before, self.after, fitted.history, seconds, report
        )


def fine_tune_detector(
    spec: TrainSpec,
    *,
    report: BoxReport | None = None,
    cancel: CancelToken | None = None,
    pause: PauseGate | None = None,
    resume: bool = False,
) -> Generator[Event, None, DetectTrainResult]:
    """Fine-tune a detector on a folder of images with boxes and save it into the library."""
    recipe = _Detector()
    return run(recipe, spec, report=report, cancel=cancel, pause=pause, resume=resume)
