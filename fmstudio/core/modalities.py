"""The one table of tasks: what a modality is, where its code lives, and its defaults.

The catalogue, the CLI, the fine-tuning job, the wizard and the main window all read this
table, so a fourth task is one entry here plus its package. It is light (no torch, no
Pillow): the window and `fmstudio models` read it at start-up. Code is named by dotted path
(`module:attribute`) and imported only when a job runs.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any

from fmstudio.core.data.suffixes import AUDIO_SUFFIXES, IMAGE_SUFFIXES, TEXT_SUFFIXES

VAL_SPLIT = 0.2
"""The share of each class held out for validation unless the user chooses another."""


@dataclass(frozen=True)
class Modality:
    task: str
    title: str
    noun: str
    """What the inputs are called in messages and dialogs ("images")."""
    noun_one: str
    """One input ("image"): "1 image classified", never "1 images"."""
    suffixes: frozenset[str]
    default_model: str
    default_batch: int
    models: str
    """The module whose `load(entry, device)` loads a model of this task."""
    run: str
    """The job that tries a model on files: `classify_images`, `transcribe_files`."""
    finetuner: str | None = None
    """The `Finetuner` class that trains this task, or None where it cannot be trained yet."""
    train: str = "fmstudio.core.train.job:fine_tune"
    """The fine-tune job (`fine_tune(spec, *, report, cancel, pause, resume)`)."""
    scan: str = "fmstudio.core.data.folders:scan_job"
    """The job that checks a training folder (`scan_job(Scan, *, cancel)`)."""
    evaluate: str = "fmstudio.core.train.evaluate:evaluate_model"
    """The job that measures a model on a dataset (`evaluate_model(Evaluate, *, cancel)`)."""
    exportable: str | None = None
    """Turns a loaded model into an `Exportable` for ONNX/TorchScript, or None: speech models
    already leave as CTranslate2 folders."""
    transcribes: bool = False
    """Whether models of this task write text (scored by WER) rather than pick a class."""
    trainee: str = "classifier"
    """What training makes, in the wizard's task menu ("Image classifier")."""
    dataset_hint: str = (
        "Choose a folder with one sub-folder per class (or train/ and val/ folders of those)."
    )

    def count(self, n: int) -> str:
        """`1 image`, `3 images`."""
        return f"{n} {self.noun_one if n == 1 else self.noun}"

    @property
    def trainable(self) -> bool:
        return self.finetuner is not None

    def file_filter(self) -> str:
        """A file-dialog filter: this modality's files first, then everything."""
        patterns = " ".join(f"*{s}" for s in sorted(self.suffixes))
        return f"{self.title} files ({patterns});;All files (*)"


TEXT = Modality(
    task="text",
    title="Text",
    noun="documents",
    noun_one="document",
    suffixes=TEXT_SUFFIXES,
    default_model="all-MiniLM-L6-v2",
    default_batch=32,
    models="fmstudio.core.text.models",
    run="fmstudio.core.text.classify:classify_texts",
    dataset_hint=(
        "Choose a folder with one sub-folder per class (or train/ and val/ folders of those), "
        "or a CSV/TSV/JSONL file with text and label columns."
    ),
    finetuner="fmstudio.core.text.finetune:text_finetuner",
    exportable="fmstudio.core.text.exportable:exportable",
)
IMAGE = Modality(
    task="image",
    title="Image",
    noun="images",
    noun_one="image",
    suffixes=IMAGE_SUFFIXES,
    default_model="efficientnet_lite0",
    default_batch=16,
    models="fmstudio.core.image.models",
    run="fmstudio.core.image.classify:classify_images",
    finetuner="fmstudio.core.image.finetune:ImageFinetuner",
    exportable="fmstudio.core.image.exportable:exportable",
)
SPEECH = Modality(
    task="speech",
    title="Speech",
    noun="audio files",
    noun_one="audio file",
    suffixes=AUDIO_SUFFIXES,
    default_model="whisper-tiny.en",
    default_batch=1,
    models="fmstudio.core.speech.models",
    run="fmstudio.core.speech.transcribe:transcribe_files",
    finetuner="fmstudio.core.speech.finetune:SpeechFinetuner",
    train="fmstudio.core.speech.train_job:fine_tune_speech",
    scan="fmstudio.core.data.clips:scan_clips_job",
    evaluate="fmstudio.core.speech.evaluate:evaluate_speech",
    transcribes=True,
    trainee="recognition (Whisper on your recordings)",
    dataset_hint=(
        "Choose a folder of audio clips (up to 30 s each) with transcripts: a metadata.csv "
        "(file_name, transcription), a .txt beside each clip, or a Common Voice style "
        "CSV/TSV; train/ and test/ sub-folders are kept as the split."
    ),
)

MODALITIES: dict[str, Modality] = {m.task: m for m in (TEXT, IMAGE, SPEECH)}
TASKS: tuple[str, ...] = tuple(MODALITIES)
"""In the order the window shows its tabs."""
TRAINABLE: tuple[str, ...] = tuple(t for t, m in MODALITIES.items() if m.trainable)
EXPORTABLE: tuple[str, ...] = tuple(t for t, m in MODALITIES.items() if m.exportable)


def modality(task: str) -> Modality:
    try:
        return MODALITIES[task]
    except KeyError:
        raise ValueError(f"unknown task {task!r}; choose one of {', '.join(TASKS)}") from None


def import_target(dotted: str) -> Any:
    """The object a table entry names: `package.module:attribute`, or a module."""
    module_name, _, attribute = dotted.partition(":")
    module = importlib.import_module(module_name)
    return getattr(module, attribute) if attribute else module
