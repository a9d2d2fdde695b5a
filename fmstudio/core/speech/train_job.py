"""The transcribers' fine-tune steps: WER before → read → train → WER of the saved model.

The driver (`core/train/job.py`) runs them, as it runs the classifiers': they share the
scan-plan-save skeleton, the loop (pause, resume, checkpoints, early stopping) and the
library; what differs is the data (clips with transcripts), the objective
(tokens, scored by WER) and the measure: both the base model and the saved one transcribe
the held-out clips through faster-whisper, exactly as the Speech tab will.
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fmstudio.core.errors import FmError
from fmstudio.core.events import (
    CancelToken,
    Event,
    Log,
    PauseGate,
    phase,
)
from fmstudio.core.speech.clips import ClipReport, scan_clips
from fmstudio.core.speech.evaluate import score_model
from fmstudio.core.speech.models import load_whisper
from fmstudio.core.speech.scoring import Scores
from fmstudio.core.speech.transcribe import load_speech_model
from fmstudio.core.train.events import EpochMetrics
from fmstudio.core.train.finetuner import Finetuner
from fmstudio.core.train.job import run
from fmstudio.core.train.loop import FitResult, LoopConfig, fit
from fmstudio.core.train.plan import RunPlan
from fmstudio.core.train.spec import TrainSpec

BEFORE_END, TRAIN_END = 0.12, 0.9
"""Progress: scoring the base model, training; then saving and scoring the saved model."""
READ_SHARE, READ_END = 0.05, 0.07
"""Of the training slice: reading the training clips, then the validation clips."""


@dataclass
class SpeechTrainResult:
    folder: Path
    spec: TrainSpec
    before: Scores | None
    after: Scores | None
    history: list[EpochMetrics] = field(default_factory=list)
    seconds: float = 0.0
    report: ClipReport | None = None
    """The clips as the run split them: the held-out ones are what it was measured on."""

    def metrics(self) -> dict[str, float]:
        """WER and CER on the held-out clips, before and after training."""
        out: dict[str, float] = {}
        for name, scores in (("before", self.before), ("after", self.after)):
            if scores is not None:
                out[f"wer_{name}"], out[f"cer_{name}"] = scores.wer, scores.cer
        return out


def _score_base(
    base: str, report: ClipReport, device: str, cancel: CancelToken
) -> Generator[Event, None, Scores | None]:
    """The base model's WER on the held-out clips, as the Speech tab would transcribe them."""
    try:
        model = yield from load_speech_model(base, device, cancel)
    except FmError as exc:  # the model is unavailable, or not one faster-whisper runs
        yield Log(
            f"the base model cannot run in faster-whisper ({exc}); WER before comes "
            "from the training loop's own decoding",
            "warning",
        )
        return None
    scores = yield from score_model(model, report.val, cancel, "held-out clips (before)")
    yield Log(
        f"before training: WER {scores.wer:.1%}, CER {scores.cer:.1%} on {scores.n} held-out clips"
    )
    return scores


def _fit(
    tuner: Finetuner,
    plan: RunPlan,
    report: ClipReport,
    cancel: CancelToken,
    pause: PauseGate,
) -> Generator[Event, None, FitResult]:
    train = yield from phase(tuner.prepare(report.train, cancel, "training"), 0.0, READ_SHARE)
    val = yield from phase(tuner.prepare(report.val, cancel, "validation"), READ_SHARE, READ_END)
    config = LoopConfig.from_spec(plan.spec, plan.device, "full")
    job = fit(
        tuner.model,
        tuner.dataset(train, [], train=True),
        tuner.dataset(val, [], train=False) if val else None,
        config,
        objective=tuner.objective(),
        collate=tuner.collate,
        cancel=cancel,
        pause=pause,
        checkpoint=plan.run_dir.checkpoint_path,
        resume=plan.checkpoint,
    )
    return (yield from phase(job, READ_END, 1.0))


class _Transcriber:
    """The transcribers' steps (see `core/train/job.py`): WER of the base model before, the
    token loop, and WER of the saved model after, both through faster-whisper exactly as the
    Speech tab will transcribe."""

    base_end, train_end = BEFORE_END, TRAIN_END
    saving = " (converting for faster-whisper, int8)"

    def __init__(self) -> None:
        self.before: Scores | None = None
        self.after: Scores | None = None

    def scan(self, spec: TrainSpec) -> ClipReport:
        return scan_clips(spec.data, spec.val_split, spec.seed)

    def measure_base(
        self, plan: RunPlan, report: ClipReport, cancel: CancelToken
    ) -> Generator[Event, None, None]:
        assert plan.spec.base is not None
        self.before = yield from _score_base(plan.spec.base, report, plan.device, cancel)

    def train(
        self,
        finetuner: Finetuner,
        plan: RunPlan,
        report: ClipReport,
        cancel: CancelToken,
        pause: PauseGate,
    ) -> Generator[Event, None, FitResult]:
        return (yield from _fit(finetuner, plan, report, cancel, pause))

    def measure(
        self, plan: RunPlan, report: ClipReport, fitted: FitResult
    ) -> Generator[Event, None, None]:
        yield from ()  # the loop's own greedy decoding is not what the tab runs: measure_saved

    def measure_saved(
        self, folder: Path, plan: RunPlan, report: ClipReport, cancel: CancelToken
    ) -> Generator[Event, None, None]:
        if not report.val:
            return
        model = load_whisper(str(folder), plan.target.name, plan.device)
        self.after = yield from score_model(model, report.val, cancel, "held-out clips")
        was = f"{self.before.wer:.1%} → " if self.before is not None else ""
        yield Log(f"held-out WER {was}{self.after.wer:.1%} (CER {self.after.cer:.1%})")

    def card(self, report: ClipReport) -> tuple[dict[str, Any], dict[str, Any]]:
        metrics: dict[str, Any] = {"val_clips": len(report.val)}
        for name, scores in (("before", self.before), ("after", self.after)):
            if scores is not None:
                metrics[f"wer_{name}"], metrics[f"cer_{name}"] = scores.wer, scores.cer
        minutes = round(sum(c.seconds for c in report.clips) / 60, 2)
        return metrics, {"minutes_of_audio": minutes}

    def result(
        self, plan: RunPlan, report: ClipReport, fitted: FitResult, seconds: float
    ) -> SpeechTrainResult:
        return SpeechTrainResult(
            plan.target, plan.spec, self.before, self.after, fitted.history, seconds, report
        )


def fine_tune_speech(
    spec: TrainSpec,
    *,
    report: ClipReport | None = None,
    cancel: CancelToken | None = None,
    pause: PauseGate | None = None,
    resume: bool = False,
) -> Generator[Event, None, SpeechTrainResult]:
    """Fine-tune Whisper on a folder of clips with transcripts and save it into the library."""
    recipe = _Transcriber()
    return run(recipe, spec, report=report, cancel=cancel, pause=pause, resume=resume)
