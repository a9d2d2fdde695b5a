"""The speech fine-tune job: scan → plan → load → read → WER before → train → save → WER after.

It shares the plan, the loop (pause, resume, checkpoints, early stopping) and the library
with the classifiers' job; what differs is the data (clips with transcripts), the objective
(tokens, scored by WER) and the measure: both the base model and the saved one transcribe
the held-out clips through faster-whisper, exactly as the Speech tab will.
"""

from __future__ import annotations

import time
from collections.abc import Generator
from dataclasses import dataclass, field
from pathlib import Path

import torch

from fmstudio.core.errors import FmError
from fmstudio.core.events import (
    Activity,
    CancelToken,
    Event,
    Log,
    PauseGate,
    Progress,
    phase,
)
from fmstudio.core.library import model_card, shown_as, write_card
from fmstudio.core.speech.clips import ClipReport, scan_clips
from fmstudio.core.speech.evaluate import score_model
from fmstudio.core.speech.models import load_whisper
from fmstudio.core.speech.scoring import Scores
from fmstudio.core.speech.transcribe import load_speech_model
from fmstudio.core.train import distributed
from fmstudio.core.train.events import EpochMetrics
from fmstudio.core.train.finetuner import Finetuner, load_finetuner
from fmstudio.core.train.loop import FitResult, LoopConfig, fit
from fmstudio.core.train.plan import RunPlan, plan_run, split_as_asked
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


def _save(
    tuner: Finetuner,
    plan: RunPlan,
    report: ClipReport,
    fitted: FitResult,
    before: Scores | None,
    cancel: CancelToken,
) -> Generator[Event, None, Scores | None]:
    """Write the model (torch weights and the faster-whisper conversion), score the converted
    model on the held-out clips, and only then move the folder into place. The scoring shows
    its progress and Stop ends it (nothing is saved then; the run can resume)."""
    yield Activity(f"Saving {shown_as(plan.target)} (converting for faster-whisper, int8)…")
    after = None
    if distributed.current().main:
        with plan.staged() as folder:
            tuner.save(folder)
            if report.val:
                model = load_whisper(str(folder), plan.target.name, plan.device)
                scoring = score_model(model, report.val, cancel, "held-out clips")
                after = yield from phase(scoring, TRAIN_END, 1.0)
            write_card(folder, _card(plan, report, fitted, before, after))
    distributed.barrier()
    return after


def _card(
    plan: RunPlan,
    report: ClipReport,
    fitted: FitResult,
    before: Scores | None,
    after: Scores | None,
) -> dict[str, object]:
    spec = plan.spec
    assert spec.base is not None
    metrics: dict[str, object] = {"val_clips": len(report.val)}
    for name, scores in (("before", before), ("after", after)):
        if scores is not None:
            metrics[f"wer_{name}"], metrics[f"cer_{name}"] = scores.wer, scores.cer
    return model_card(
        task="speech",
        base_model=spec.base,
        classes=[],
        report=report,
        metrics=metrics,
        hyperparameters=spec.to_json(),
        history=[h.to_json() for h in fitted.history],
        extra={
            "mode": plan.mode,
            "device": plan.device,
            "best_epoch": fitted.best_epoch,
            "minutes_of_audio": round(sum(c.seconds for c in report.clips) / 60, 2),
        },
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
    cancel, pause = cancel or CancelToken(), pause or PauseGate()
    started = time.monotonic()
    main = distributed.current().main
    if report is None:
        if main:
            yield Activity(f"Scanning {spec.data}…")
        report = distributed.on_main(lambda: scan_clips(spec.data, spec.val_split, spec.seed))
    for skipped in report.skipped:
        yield Log(f"skipped {skipped.path}: {skipped.reason}", "warning")
    report = split_as_asked(report, spec)
    plan = yield from plan_run(spec, report, resume)
    assert plan.spec.base is not None
    before = None
    if report.val and plan.checkpoint is None and main:  # under torchrun, rank 0 scores
        before = yield from phase(
            _score_base(plan.spec.base, report, plan.device, cancel), 0.0, BEFORE_END
        )
    yield Activity(f"Loading {plan.spec.base} for training on {plan.device}…")
    torch.manual_seed(spec.seed)
    tuner = load_finetuner(spec.task, plan.spec.base, [], plan.device)
    fitted = yield from phase(_fit(tuner, plan, report, cancel, pause), BEFORE_END, TRAIN_END)
    cancel.raise_if_cancelled()
    after = yield from _save(tuner, plan, report, fitted, before, cancel)
    if after is not None:
        was = f"{before.wer:.1%} → " if before is not None else ""
        yield Log(f"held-out WER {was}{after.wer:.1%} (CER {after.cer:.1%})")
    seconds = time.monotonic() - started
    yield Progress(1.0, "saved", eta_s=0.0)
    yield Log(f"Saved {shown_as(plan.target)} in {seconds:.0f} s")
    return SpeechTrainResult(plan.target, plan.spec, before, after, fitted.history, seconds, report)
