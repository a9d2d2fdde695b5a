"""The one table of tasks: every per-task fact, and where each task's code lives.

The catalogue, the CLI, the fine-tuning job, the wizard and the main window all read this
table, so a new task is one row here plus its package (`docs/architecture.md` lists the
files). Outside this table and the task packages no code branches on a task's name; code
that differs by *family* (classifiers, transcribers) reads `Modality.family`. It is light (no
torch, no Pillow): the window and `fmstudio models` read it at start-up. Code is named by dotted
path (`module:attribute`), as napari's manifest names its contributions, and imported only
when it runs.
"""

from __future__ import annotations

import importlib
import threading
from dataclasses import dataclass, field
from typing import Any

from fmstudio.core.data.suffixes import (
    AUDIO_SUFFIXES,
    IMAGE_SUFFIXES,
    TABLE_SUFFIXES,
    TEXT_SUFFIXES,
)


@dataclass(frozen=True)
class Family:
    """What a task's models make: one class per input, or text. Each family has its own
    results, dataset scan, training job, evaluation and curation (`core/classify/`,
    `core/speech/`)."""

    name: str
    card_metrics: tuple[str, ...]
    """The metrics a saved model's card names (Hugging Face model-index names)."""
    metric_keys: tuple[str, ...]
    """Where each of `card_metrics` is in model.json's `metrics` (the held-out figures)."""
    report_evaluation: str
    """The CLI function that prints an evaluate job's result: `(result, args) -> int`."""
    view: str
    """The wizard's view of a measured model: a widget with `show_trained(result)` and
    `show_evaluated(result)` for this family's fine-tune and evaluate results."""
    dataset: str
    """What a training folder holds, in the wizard's words ("a folder of class folders")."""
    headline: str = ""
    """How the library shows the first of `metric_keys` ("accuracy {:.1%}")."""
    compare: str | None = None
    """The job that measures a retrained model beside the one it grew from on the same
    held-out examples (`(Compare, report=, cancel=)`, its result shown by ComparisonView)."""
    labels_next: bool = False
    """A new model can find what to label next (the least sure first, into class folders)."""


CLASSIFIER = Family(
    "classifier",
    ("accuracy", "f1"),
    ("accuracy", "macro_f1"),
    "fmstudio.cli.evaluate:report_classifier",
    "fmstudio.ui.widgets.evaluation_view:EvaluationView",
    "a folder of class folders",
    headline="accuracy {:.1%}",
    compare="fmstudio.core.classify.compare:compare_models",
    labels_next=True,
)
TRANSCRIBER = Family(
    "transcriber",
    ("wer", "cer"),
    ("wer_after", "cer_after"),
    "fmstudio.cli.evaluate:report_transcriber",
    "fmstudio.ui.widgets.wer_view:WerView",
    "a folder of clips with transcripts",
    headline="WER {:.1%}",
)
DETECTOR = Family(
    "detector",
    ("map", "map_50"),
    ("map", "map_50"),
    "fmstudio.cli.detect:report_detector",
    "fmstudio.ui.widgets.detection_view:DetectionView",
    "a folder of images with boxes (COCO JSON, YOLO txt or Pascal VOC XML)",
    headline="mAP {:.3f}",
    compare="fmstudio.core.detect.compare:compare_detectors",
)


@dataclass(frozen=True)
class TrainingDefaults:
    """What a user who changes nothing gets when training this task.

    Every mapping is keyed by mode; the modes a task allows are the keys of `lr` (a
    transcriber has no head to train alone, so it allows only "full")."""

    lr: dict[str, float]
    epochs: dict[str, int]
    patience: dict[str, int]
    """Epochs without a better validation metric that end a run (never before half)."""
    batch: int = 16
    cpu_full_limit: int = 0
    """Up to this many training examples `auto` fine-tunes the whole model on a CPU."""

    @property
    def modes(self) -> tuple[str, ...]:
        return tuple(self.lr)

    @property
    def trains_head(self) -> bool:
        """Whether a head can train alone on frozen features (a transcriber has none)."""
        return "head" in self.lr


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
    """What the tab tries files with, and what training starts from unless `train_base`."""
    default_batch: int
    models: str
    """The module whose `load(entry, device)` loads a model of this task."""
    run: str
    """The job that tries a model on files: `classify_images`, `transcribe_files`."""
    tab: str
    """The window's tab for this task (a `Tab` subclass taking `(settings, parent)`), or ""
    for a task that has none (one a plug-in uses headless)."""
    cli: str
    """The CLI module whose `add_commands(sub)` adds this task's sub-command, or "" for none."""
    weights_file: str
    """The weights file a library model of this task must have."""
    pipeline_tag: str
    """The Hugging Face pipeline a saved model's card names."""
    card_library: str
    """The library that loads a saved model (the card's `library_name`, its load snippet)."""
    head_card_library: str = ""
    """The library that loads a head-mode model, where that is not `card_library` (text's
    head reads the sentence embedding, which no transformers class computes: fmstudio)."""
    family: Family = CLASSIFIER
    finetuner: str | None = None
    """The `Finetuner` class that trains this task, or None where it cannot be trained yet."""
    training: TrainingDefaults | None = field(default=None, hash=False)
    train: str = "fmstudio.core.classify.train_job:fine_tune"
    """The fine-tune job (`fine_tune(spec, *, report, cancel, pause, resume)`)."""
    scan: str = "fmstudio.core.classify.scan:scan_job"
    """The job that checks a training folder (`scan_job(Scan, *, cancel)`)."""
    evaluate: str = "fmstudio.core.classify.evaluate:evaluate_model"
    """The job that measures a model on a dataset (`evaluate_model(Evaluate, *, cancel)`)."""
    examples_request: str = ""
    """Classifiers: builds the `run` job's request for scanned examples and a loaded model,
    `(samples, model, batch_size, thumbnail_size)`, so evaluation classifies as the tab does."""
    read_example: str = ""
    """Classifiers: checks one class file's bytes, `(path, data) -> text or None`, raising
    `InputFileError` with the reason it cannot be used."""
    example_suffixes: frozenset[str] = frozenset()
    """The files a class folder may hold."""
    zero_shot: str = ""
    """Classifiers that name classes untrained: `(samples, labels, device, cancel)` → a job
    whose result is each sample's best label (the ladder's first rung)."""
    accepts_tables: bool = False
    """A CSV/TSV/JSONL table of examples can stand for a dataset folder."""
    augmentation: str = ""
    """What training's random augmentation does, in the wizard's words ("": none)."""
    exportable: str | None = None
    """Turns a loaded model into an `Exportable` for ONNX/TorchScript, or None."""
    onnx_snippet: str = ""
    """The Python that runs an ONNX export (an `export.snippets` template), and its input."""
    export_example: str = ""
    not_exportable: str = ""
    """Why this task's models are not exported, in the user's words."""
    train_base: str = ""
    """The model training starts from, where it is not `default_model` (sounds are tried
    with YAMNet, which cannot train, and trained from the sound-effects CNN)."""
    trainee: str = "classifier"
    """What training makes, in the wizard's task menu ("Image classifier")."""
    dataset_hint: str = (
        "Choose a folder with one sub-folder per class (or train/ and val/ folders of those)."
    )

    def count(self, n: int) -> str:
        """`1 image`, `3 images`."""
        return f"{n} {self.noun_one if n == 1 else self.noun}"

    @property
    def base_model(self) -> str:
        """What a new model of this task is trained from by default."""
        return self.train_base or self.default_model

    @property
    def trainable(self) -> bool:
        return self.finetuner is not None and self.training is not None

    @property
    def transcribes(self) -> bool:
        """Whether models of this task write text (scored by WER) rather than pick a class."""
        return self.family is TRANSCRIBER

    def defaults(self) -> TrainingDefaults:
        if self.training is None:
            raise ValueError(f"{self.title} models cannot be fine-tuned yet")
        return self.training

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
    zero_shot="fmstudio.core.text.classify:zero_shot_labels",
    tab="fmstudio.ui.tabs.text_tab:TextTab",
    cli="fmstudio.cli.text",
    weights_file="model.safetensors",
    pipeline_tag="text-classification",
    card_library="transformers",
    head_card_library="fmstudio",
    dataset_hint=(
        "Choose a folder with one sub-folder per class (or train/ and val/ folders of those), "
        "or a CSV/TSV/JSONL file with text and label columns."
    ),
    finetuner="fmstudio.core.text.finetune:text_finetuner",
    # 1500: MiniLM-L6 trains ~22 short texts/s on 2 CPU cores, so this finishes in minutes.
    training=TrainingDefaults(
        lr={"head": 3e-3, "full": 1e-4},
        epochs={"head": 60, "full": 8},
        patience={"head": 10, "full": 3},
        cpu_full_limit=1500,
    ),
    examples_request="fmstudio.core.text.requests:for_examples",
    read_example="fmstudio.core.data.texts:read_example",
    example_suffixes=TEXT_SUFFIXES - TABLE_SUFFIXES,
    accepts_tables=True,
    exportable="fmstudio.core.text.exportable:exportable",
    onnx_snippet="fmstudio.core.export.snippets:TEXT_ONNX",
    export_example="The delivery arrived two days late.",
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
    tab="fmstudio.ui.tabs.image_tab:ImageTab",
    cli="fmstudio.cli.image",
    weights_file="model.safetensors",
    pipeline_tag="image-classification",
    card_library="timm",
    finetuner="fmstudio.core.image.finetune:ImageFinetuner",
    # 600: EfficientNet-Lite0 trains ~13 images/s on 2 CPU cores, so this finishes in minutes.
    training=TrainingDefaults(
        lr={"head": 3e-3, "full": 3e-4},
        epochs={"head": 60, "full": 8},
        patience={"head": 10, "full": 3},
        cpu_full_limit=600,
    ),
    examples_request="fmstudio.core.image.requests:for_examples",
    read_example="fmstudio.core.data.images:read_example",
    example_suffixes=IMAGE_SUFFIXES,
    augmentation="Random crops, flips and colour changes",
    exportable="fmstudio.core.image.exportable:exportable",
    onnx_snippet="fmstudio.core.export.snippets:IMAGE_ONNX",
    export_example="photo.jpg",
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
    tab="fmstudio.ui.tabs.speech.tab:SpeechTab",
    cli="fmstudio.cli.speech",
    weights_file="model.bin",  # CTranslate2's
    pipeline_tag="automatic-speech-recognition",
    card_library="ctranslate2",
    family=TRANSCRIBER,
    finetuner="fmstudio.core.speech.finetune:SpeechFinetuner",
    # Measured with one espeak voice: on 150 clips the validation WER was lowest after epoch
    # 2 (epochs 3 and 4 did not help); on 19 clips 3 epochs and 12 (stopped early at 6) gave
    # the same held-out WER (0.108, 0.110). Whisper on a voice stops improving abruptly: one
    # epoch without a better WER ends the run (never before half the epochs).
    training=TrainingDefaults(lr={"full": 5e-5}, epochs={"full": 3}, patience={"full": 1}, batch=8),
    train="fmstudio.core.speech.train_job:fine_tune_speech",
    scan="fmstudio.core.speech.clips:scan_clips_job",
    evaluate="fmstudio.core.speech.evaluate:evaluate_speech",
    not_exportable=(
        "speech models already leave fmstudio as CTranslate2 folders: a fine-tuned one's folder "
        "(Models > Open models folder) loads as it is with faster_whisper.WhisperModel(folder)"
    ),
    trainee="recognition (Whisper on your recordings)",
    dataset_hint=(
        "Choose a folder of audio clips (up to 30 s each) with transcripts: a metadata.csv "
        "(file_name, transcription), a .txt beside each clip, or a Common Voice style "
        "CSV/TSV; train/ and test/ sub-folders are kept as the split."
    ),
)

DETECT = Modality(
    task="detect",
    title="Detect",
    noun="images",
    noun_one="image",
    suffixes=IMAGE_SUFFIXES,
    default_model="centernet-coco",
    default_batch=4,
    models="fmstudio.core.detect.models",
    run="fmstudio.core.detect.detect:detect_images",
    tab="fmstudio.ui.tabs.detect_tab:DetectTab",
    cli="fmstudio.cli.detect",
    weights_file="weights.safetensors",
    pipeline_tag="object-detection",
    card_library="fmstudio",
    family=DETECTOR,
    finetuner="fmstudio.core.detect.finetune:DetectFinetuner",
    # AdamW 2e-4 with warm-up: 5e-5 moved one box in MODELS.md's check but learnt a new class
    # slowly; SGD at 1e-3 diverged. Measured on the coins set (benchmarks/detect_finetune.py).
    training=TrainingDefaults(
        lr={"full": 2e-4}, epochs={"full": 30}, patience={"full": 6}, batch=8
    ),
    train="fmstudio.core.detect.train_job:fine_tune_detector",
    scan="fmstudio.core.detect.scan:scan_job",
    evaluate="fmstudio.core.detect.evaluate:evaluate_detector",
    augmentation="Random flips, zoom-outs and colour changes",
    exportable="fmstudio.core.detect.exportable:exportable",
    onnx_snippet="fmstudio.core.export.snippets:DETECT_ONNX",
    export_example="photo.jpg",
    trainee="objects in images",
    dataset_hint=(
        "Choose a folder of images with their boxes: a COCO JSON file, YOLO labels/ with "
        "data.yaml or classes.txt, or a Pascal VOC .xml beside each image."
    ),
)

SOUND = Modality(
    task="sound",
    title="Sound",
    noun="recordings",
    noun_one="recording",
    suffixes=AUDIO_SUFFIXES,
    default_model="yamnet",
    default_batch=1,
    models="fmstudio.core.sound.models",
    run="fmstudio.core.sound.classify:classify_sounds",
    tab="fmstudio.ui.tabs.sound_tab:SoundTab",
    cli="fmstudio.cli.sound",
    weights_file="model.safetensors",
    pipeline_tag="audio-classification",
    card_library="fmstudio",
    finetuner="fmstudio.core.sound.finetune:SoundFinetuner",
    # The sound-effects CNN trains ~15 windows/s on 2 CPU cores; measured on drum hits
    # (benchmarks/sound_finetune.py).
    training=TrainingDefaults(
        lr={"head": 3e-3, "full": 3e-4},
        epochs={"head": 60, "full": 10},
        patience={"head": 10, "full": 3},
        cpu_full_limit=600,
    ),
    examples_request="fmstudio.core.sound.requests:for_examples",
    read_example="fmstudio.core.data.audio:read_example",
    example_suffixes=AUDIO_SUFFIXES,
    augmentation="Random time shifts, loudness, background noise and masked time or frequencies",
    exportable="fmstudio.core.sound.exportable:exportable",
    onnx_snippet="fmstudio.core.export.snippets:SOUND_ONNX",
    export_example="recording.wav",
    not_exportable="the bundled sound tagger (yamnet) is already an ONNX model, 8-bit",
    train_base="sfx-cnn",
    dataset_hint=(
        "Choose a folder with one sub-folder of recordings per class (or train/ and val/ "
        "folders of those); long recordings are heard in 2.3 s windows."
    ),
)

MODALITIES: dict[str, Modality] = {m.task: m for m in (TEXT, IMAGE, SPEECH, DETECT, SOUND)}


def tasks() -> tuple[str, ...]:
    """Every task, in the order the window shows its tabs."""
    return tuple(MODALITIES)


def trainable_tasks() -> tuple[str, ...]:
    return tuple(t for t, m in MODALITIES.items() if m.trainable)


def exportable_tasks() -> tuple[str, ...]:
    return tuple(t for t, m in MODALITIES.items() if m.exportable)


def modality(task: str) -> Modality:
    try:
        return MODALITIES[task]
    except KeyError:
        raise ValueError(f"unknown task {task!r}; choose one of {', '.join(tasks())}") from None


_importing = threading.RLock()
"""One lazy import at a time: two threads importing torchvision at once (a tab preloading
its model while a drop starts the job) made one of them fail with "partially initialized
module" (CPython's per-module locks do not cover a package's import cycles)."""


def import_target(dotted: str) -> Any:
    """The object a table entry names: `package.module:attribute`, or a module. Imported
    under one process-wide lock (see `_importing`)."""
    module_name, _, attribute = dotted.partition(":")
    with _importing:
        module = importlib.import_module(module_name)
    return getattr(module, attribute) if attribute else module
