"""How accurate a speech model is on the user's recordings: WER and CER on clips with transcripts.

Clips are transcribed by faster-whisper with the Speech tab's default options, so the figure
is what the user will get in the tab, for any model the tab can use (bundled, library,
faster-whisper size names, folders) and for a model fine-tuned here before and after.
"""

from __future__ import annotations

from collections.abc import Generator, Sequence
from dataclasses import dataclass, field

from fmstudio.core.errors import FmError, InputFileError
from fmstudio.core.events import Activity, CancelToken, EtaTracker, Event, Progress, run_to_end
from fmstudio.core.requests import Evaluate
from fmstudio.core.speech.clips import Clip, ClipReport, clip_audio, scan_clips
from fmstudio.core.speech.models import SpeechModel
from fmstudio.core.speech.requests import SpeechOptions
from fmstudio.core.speech.scoring import Scores, score
from fmstudio.core.speech.transcribe import load_speech_model, transcribe_audio

EVAL_OPTIONS = SpeechOptions(language="en")
"""The Speech tab's defaults (beam search of 5), English: the models trained here are."""


@dataclass
class SpeechEvaluation:
    model: str
    scores: Scores
    skipped: list[tuple[str, str]] = field(default_factory=list)


def transcribe_clips(
    model: SpeechModel, clips: Sequence[Clip], cancel: CancelToken, what: str = "clips"
) -> Generator[Event, None, list[str]]:
    """Each clip's transcript by `model`, with progress by clip (segments are not passed on)."""
    options = EVAL_OPTIONS if model.english_only else SpeechOptions()
    texts: list[str] = []
    tracker = EtaTracker(len(clips))
    for clip in clips:
        cancel.raise_if_cancelled()
        job = transcribe_audio(model, clip_audio(clip), options, cancel, clip.path)
        texts.append(run_to_end(job).text)
        yield tracker.progress(len(texts), f"transcribing {what} with {model.name}")
    return texts


def score_model(
    model: SpeechModel, clips: Sequence[Clip], cancel: CancelToken, what: str = "clips"
) -> Generator[Event, None, Scores]:
    hypotheses = yield from transcribe_clips(model, clips, cancel, what)
    return score([c.path for c in clips], [c.text for c in clips], hypotheses)


def clips_to_evaluate(report: ClipReport) -> list[Clip]:
    """A dataset's held-out folder or table when it has one, else every clip."""
    return report.val if report.split == "folders" else report.clips


def evaluate_speech(
    request: Evaluate, *, cancel: CancelToken | None = None, report: ClipReport | None = None
) -> Generator[Event, None, SpeechEvaluation]:
    """Transcribe the dataset's clips with `request.model` and score them against the text;
    `report` is the scan the caller already has (the wizard's), so no clip is read twice."""
    cancel = cancel or CancelToken()
    if report is None:
        yield Activity(f"Scanning {request.data}…")
        report = scan_clips(request.data)
    clips = clips_to_evaluate(report)
    if not clips:
        raise FmError("no clips to evaluate:\n" + report.summary(evaluating=True))
    model = yield from load_speech_model(request.model, request.device, cancel)
    try:
        scores = yield from score_model(model, clips, cancel)
    except InputFileError as exc:
        raise FmError(f"{exc.path}: {exc.reason}") from exc
    yield Progress(1.0, "evaluated", eta_s=0.0)
    skipped = [(s.path, s.reason) for s in report.skipped]
    return SpeechEvaluation(model.name, scores, skipped)
