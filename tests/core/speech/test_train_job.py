"""Whisper fine-tuning: the rebuilt bundled model, the job end to end, resume, and a real run."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch

from fmstudio.core import catalog, loading
from fmstudio.core.data.audio import load_audio
from fmstudio.core.errors import Cancelled, FmError
from fmstudio.core.events import CancelToken, Event, Log, run_to_end
from fmstudio.core.library import read_card
from fmstudio.core.speech.ct2_file import read_variables
from fmstudio.core.speech.languages import model_languages
from fmstudio.core.speech.train_job import fine_tune_speech
from fmstudio.core.speech.whisper_torch import greedy_decode, load_trainable, log_mel
from fmstudio.core.train.events import EpochMetrics
from fmstudio.core.train.spec import TrainSpec

pytestmark = pytest.mark.slow  # trains real Whisper models


def test_rebuilt_tiny_en_decodes_the_same_text_as_faster_whisper(clip_folder: Path) -> None:
    from faster_whisper import WhisperModel

    from fmstudio.core.speech.models import bundled_folder

    whisper = load_trainable("whisper-tiny.en")
    reference = WhisperModel(str(bundled_folder()), device="cpu", compute_type="float32")
    clips = [load_audio(p) for p in sorted(clip_folder.glob("*.wav"))[:4]]
    features = torch.from_numpy(np.stack([log_mel(a) for a in clips])).float()
    decoded = greedy_decode(whisper.model, features, whisper.tokens, whisper.prompt)
    ours = [whisper.tokenizer.decode(ids, skip_special_tokens=True).strip() for ids in decoded]
    theirs = []
    for audio in clips:
        segments, _ = reference.transcribe(
            audio, beam_size=1, without_timestamps=True, condition_on_previous_text=False
        )
        theirs.append(" ".join(s.text.strip() for s in segments))
    assert ours == theirs
    assert all(len(t.split()) >= 5 for t in ours)
    # As a GPU decodes: asking whether every clip ended only every 8 steps changes nothing.
    rarely = greedy_decode(whisper.model, features, whisper.tokens, whisper.prompt, check_every=8)
    assert rarely == decoded


def test_a_file_that_is_not_a_ctranslate2_whisper_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "model.bin"
    path.write_bytes(b"\x06\x00\x00\x00\x0c\x00TransformerS\x03")
    with pytest.raises(FmError, match=r"model\.bin"):
        read_variables(path)


def test_a_missing_base_is_named(tmp_path: Path) -> None:
    from fmstudio.core.errors import ModelUnavailableError

    with pytest.raises(ModelUnavailableError, match="does not exist"):
        load_trainable(str(tmp_path / "nowhere"))
    with pytest.raises(ModelUnavailableError, match="not cached and the network is unreachable"):
        load_trainable("base.en")
    (tmp_path / "empty").mkdir()
    with pytest.raises(FmError, match="holds no Whisper model"):
        load_trainable(str(tmp_path / "empty"))


def tiny_spec(clips: Path, base: Path, output: str, **choices: float) -> TrainSpec:
    """A run of the tiny Whisper the tests build, four clips a batch."""
    return TrainSpec("speech", str(clips), output, base=str(base), batch_size=4, **choices)


def _train(spec: TrainSpec, cancel: CancelToken | None = None, **kw) -> tuple[object, list]:
    events: list[Event] = []

    def on_event(event: Event) -> None:
        events.append(event)
        if cancel is not None and isinstance(event, EpochMetrics):
            cancel.cancel()

    result = run_to_end(fine_tune_speech(spec, cancel=cancel, **kw), on_event)
    return result, events


def test_a_tiny_whisper_trains_saves_for_faster_whisper_and_trains_further(
    clip_folder: Path, tiny_whisper_base: Path
) -> None:
    spec = tiny_spec(clip_folder, tiny_whisper_base, "tiny-speech", epochs=2, val_split=0.1)
    result, events = _train(spec)
    epochs = [e for e in events if isinstance(e, EpochMetrics)]
    assert [e.epoch for e in epochs] == [1, 2]
    assert all("wer" in e.val_metrics and e.val_loss is not None for e in epochs)
    assert epochs[1].train_loss < epochs[0].train_loss
    assert any(isinstance(e, Log) and "cannot run in faster-whisper" in e.message for e in events)
    folder = result.folder
    assert (folder / "model.bin").is_file()
    assert (folder / "transformers" / "model.safetensors").is_file()
    card = read_card(folder)
    assert card["task"] == "speech" and card["base_model"] == str(tiny_whisper_base)
    assert card["metrics"]["val_clips"] == 1 and "wer_after" in card["metrics"]
    assert card["hyperparameters"]["lr"] == 5e-5 and len(card["history"]) == 2
    assert result.after is not None and result.after.n == 1
    assert "tiny-speech" in [e.name for e in catalog.list_models("speech")]
    loaded = loading.load("tiny-speech", "speech")
    # Fine-tuned from an English-only Whisper, it is English-only whatever its name says.
    assert loaded.english_only and model_languages("tiny-speech") == ("en",)
    segments, _ = loaded.model.transcribe(load_audio(clip_folder / "clip00.wav"))
    list(segments)  # decodes without error, whatever a 2-epoch tiny model says
    again = load_trainable(str(folder))
    assert again.tokens.eot == 50256 and again.model.config.d_model == 64


def test_scoring_the_saved_model_shows_progress_and_stop_ends_it(
    clip_folder: Path, tiny_whisper_base: Path
) -> None:
    """The saved model is scored on the held-out clips before it is moved into place: that
    step reports its progress, and a Stop there saves nothing and keeps the run resumable."""
    from fmstudio.core import paths
    from fmstudio.core.events import Activity, Progress
    from fmstudio.core.speech.train_job import TRAIN_END
    from fmstudio.core.train.checkpoints import RunDir

    spec = tiny_spec(clip_folder, tiny_whisper_base, "tiny-stopped-save", epochs=1, val_split=0.25)
    cancel = CancelToken()
    saving: list[Progress] = []

    def on_event(event: Event) -> None:
        if isinstance(event, Activity) and event.message.startswith("Saving"):
            saving.append(Progress(-1.0))
        elif saving and isinstance(event, Progress):
            saving.append(event)
            cancel.cancel()  # after the first held-out clip of the saved model

    with pytest.raises(Cancelled):
        run_to_end(fine_tune_speech(spec, cancel=cancel), on_event)
    scored = saving[1:]
    assert scored and "held-out clips" in scored[0].message
    assert TRAIN_END < scored[0].fraction < 1.0
    target = paths.models_dir() / "tiny-stopped-save"
    assert not target.exists() and not list(target.parent.glob(".tiny-stopped-save.tmp-*"))
    assert RunDir(target).checkpoint() is not None, "the stopped run can resume"


def test_a_stopped_speech_run_resumes_from_its_checkpoint(
    clip_folder: Path, tiny_whisper_base: Path
) -> None:
    spec = tiny_spec(clip_folder, tiny_whisper_base, "tiny-resume", epochs=2, val_split=0.1)
    with pytest.raises(Cancelled):
        _train(spec, cancel=CancelToken())
    result, events = _train(spec, resume=True)
    assert any(isinstance(e, Log) and "resumed after epoch 1 of 2" in e.message for e in events)
    assert [e.epoch for e in events if isinstance(e, EpochMetrics)] == [2]
    assert [h.epoch for h in result.history] == [1, 2]


def test_bundled_tiny_en_learns_the_names_in_espeak_clips(clip_folder: Path) -> None:
    spec = TrainSpec(
        "speech", str(clip_folder), "espeak-voice", epochs=3, batch_size=4, val_split=0.25
    )
    result, _ = _train(spec)
    assert result.before is not None and result.after is not None
    assert result.before.n == result.after.n == 3
    assert result.after.wer < result.before.wer
    card = json.loads((result.folder / "model.json").read_text())
    assert card["metrics"]["wer_before"] == pytest.approx(result.before.wer)
    assert card["metrics"]["wer_after"] == pytest.approx(result.after.wer)
