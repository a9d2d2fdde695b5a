"""The README.md beside every saved model: a Hugging Face model card made from model.json.

YAML front matter (library_name, base_model, tags, metrics, pipeline_tag) then the classes,
the data, the metrics, the most confused pairs, the hyperparameters and how to load it, so
a model folder can be pushed to a hub as it is. Torch-free: it reads only the card dict.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from fmstudio.core import catalog
from fmstudio.core.atomic import atomic_write_text
from fmstudio.core.modalities import modality

LOADING = {
    "timm": """import timm

model = timm.create_model("local-dir:{folder}", pretrained=True).eval()
config = timm.data.resolve_data_config(model=model)  # the preprocessing it was trained with
transform = timm.data.create_transform(**config)
labels = model.pretrained_cfg["label_names"]""",
    "transformers": """from transformers import AutoModelForSequenceClassification, AutoTokenizer

model = AutoModelForSequenceClassification.from_pretrained("{folder}")
tokenizer = AutoTokenizer.from_pretrained("{folder}")
labels = model.config.id2label""",
    "ctranslate2": """from faster_whisper import WhisperModel

model = WhisperModel("{folder}", compute_type="int8")
segments, info = model.transcribe("audio.wav")
print(" ".join(s.text for s in segments))""",
    "fmstudio": """# a linear head (model.safetensors: weight, bias) on a sentence encoder's
# embedding; head.json names the encoder (one fmstudio bundles, or a transformers
# model) and the classes
from fmstudio.core import loading

model = loading.load("{folder}", "{task}")
print(model.labels, model.probabilities(["some text"]))""",
    "fmstudio:detect": """# graph.json (the network), weights.safetensors, model.json (the classes)
from PIL import Image

from fmstudio.core import loading

detector = loading.load("{folder}", "detect")
for box in detector.detect([Image.open("photo.jpg")])[0]:  # best first, image pixels
    if box.score >= 0.3:
        print(box.label, round(box.score, 2), [round(v) for v in box.box])""",
    "fmstudio:sound": """# config.json (the network, its input, the classes), model.safetensors
from fmstudio.core import loading
from fmstudio.core.data.audio import load_audio
from fmstudio.core.sound.timeline import top_sounds

model = loading.load("{folder}", "sound")
heard = model.hear(load_audio("recording.wav", model.sample_rate))  # window by window
print(top_sounds(heard.scores, model.labels, 3, heard.weights))
# without fmstudio: `fmstudio export` writes an ONNX graph with a numpy snippet""",
}
"""How to load a saved model, by its library (or `library:task` where a task's models load
another way than that library's others)."""


def library_name(card: dict[str, Any]) -> str:
    """What loads the saved model: the task's library, or the one its head-mode models need
    (fmstudio for a text head on a sentence encoder: no library loads that pair as one)."""
    row = modality(str(card.get("task", "")))
    if card.get("mode") == "head" and row.head_card_library:
        return row.head_card_library
    return row.card_library


def shown_base(card: dict[str, Any]) -> str:
    """The base model as a hub knows it: its hub id, else its name; a folder on this machine
    by its own name only (a card leaves no local path behind)."""
    base, task = str(card.get("base_model", "")), str(card.get("task", ""))
    if catalog.hub_id(base, task):
        return catalog.hub_id(base, task)
    local = Path(base).is_absolute() or base.startswith(".")  # see `library.write_card`
    return Path(base).name if local else base


def front_matter(card: dict[str, Any]) -> list[str]:
    task = str(card.get("task", ""))
    row = modality(task)
    licence = catalog.licence(str(card.get("base_model", "")), task)
    return [
        "---",
        f"library_name: {library_name(card)}",
        *([f"license: {licence}"] if licence else []),
        f"base_model: {json.dumps(shown_base(card))}",
        "tags:",
        *(
            f"- {tag}"
            for tag in (
                "fmstudio",
                row.pipeline_tag,
                f"{card.get('mode', 'full')}-finetune",
            )
        ),
        f"pipeline_tag: {row.pipeline_tag}",
        "metrics:",
        *(f"- {m}" for m in row.family.card_metrics),
        *_model_index(card),
        "---",
    ]


def _model_index(card: dict[str, Any]) -> list[str]:
    """The held-out figures as a hub reads them (`model-index`), when there are any."""
    row = modality(str(card.get("task", "")))
    metrics = card.get("metrics") or {}
    found = [
        (name, metrics[key])
        for name, key in zip(row.family.card_metrics, row.family.metric_keys, strict=True)
        if isinstance(metrics.get(key), int | float)
    ]
    if not found:
        return []
    dataset = Path(str((card.get("dataset") or {}).get("path", "dataset"))).name
    return [
        "model-index:",
        f"- name: {json.dumps(title(card))}",
        "  results:",
        "  - task:",
        f"      type: {row.pipeline_tag}",
        "    dataset:",
        f"      name: {json.dumps(dataset)}",
        "      type: imagefolder" if row.task == "image" else f"      type: {row.task}",
        "      split: validation",
        "    metrics:",
        *(
            line
            for name, value in found
            for line in (f"    - type: {name}", f"      value: {round(float(value), 4)}")
        ),
    ]


def _data(card: dict[str, Any]) -> list[str]:
    data = card.get("dataset") or {}
    counts = data.get("counts") or {}
    lines = [
        "## Data",
        "",
        f"- Folder: `{Path(str(data.get('path', '?'))).name}` (content hash "
        f"`{str(data.get('hash', ''))[:16]}`)",
        f"- {data.get('train_examples', '?')} training and {data.get('val_examples', '?')} "
        f"validation examples (split: {data.get('split', '?')})",
    ]
    if isinstance(counts, dict) and counts:
        lines.append("- Per class: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    if card.get("minutes_of_audio"):
        lines.append(f"- {card['minutes_of_audio']} minutes of audio")
    return [*lines, ""]


def _metrics(card: dict[str, Any]) -> list[str]:
    metrics = card.get("metrics") or {}
    rows = [(k, v) for k, v in metrics.items() if isinstance(v, int | float)]
    if not rows:
        return ["## Metrics", "", "No validation examples were held out.", ""]
    table = [f"| {k} | {v:.4f} |" if isinstance(v, float) else f"| {k} | {v} |" for k, v in rows]
    per_class = metrics.get("per_class") or {}
    if per_class:
        table += [f"| f1 ({label}) | {m.get('f1', 0):.4f} |" for label, m in per_class.items()]
    return ["## Metrics (validation)", "", "| metric | value |", "|---|---|", *table, ""]


def confusion_summary(card: dict[str, Any], most: int = 5) -> list[str]:
    """The most frequent mistakes as `true → predicted: count` lines."""
    metrics = card.get("metrics") or {}
    labels, matrix = metrics.get("labels") or [], metrics.get("confusion_matrix") or []
    if not labels or not matrix:
        return []
    pairs = [
        (count, labels[t], labels[p])
        for t, row in enumerate(matrix)
        for p, count in enumerate(row)
        if t != p and count
    ]
    pairs.sort(key=lambda pair: -pair[0])
    lines = [f"- {t} → {p}: {n}" for n, t, p in pairs[:most]] or ["- no mistakes"]
    return ["## Most confused", "", *lines, ""]


def _calibration(card: dict[str, Any]) -> list[str]:
    found = card.get("calibration")
    if not isinstance(found, dict) or "temperature" not in found:
        return []
    threshold = float(found.get("unsure_below", 0.0))
    unsure = (
        f"A top score under **{threshold:.2f}** is unsure: at or above it, "
        f"{float(found.get('kept', 1.0)):.0%} of the validation examples were right "
        f"{float(found.get('precision', 0.95)):.0%} of the time."
        if threshold > 0
        else "Every validation prediction counts as sure (the model was right often enough)."
    )
    return [
        "## Calibration",
        "",
        f"Scores are the softmax of the logits divided by a temperature of "
        f"**{float(found['temperature']):.2f}**, fitted on the validation split. {unsure}",
        "",
    ]


def title(card: dict[str, Any]) -> str:
    """What the model is, in words: its task's pipeline and what it was fine-tuned from."""
    kind = modality(str(card.get("task", ""))).pipeline_tag.replace("-", " ")
    return f"{kind.capitalize()} model fine-tuned from {shown_base(card) or '?'}"


def render(card: dict[str, Any]) -> str:
    """The model card for a model folder whose model.json is `card`.

    Written once, before the folder has its final place (a temp or staging folder) and often
    before the user has named it, so nothing in it depends on the folder's name: the title
    says what the model is and the loading snippet points at "this folder".
    """
    hyper = card.get("hyperparameters") or {}
    wanted = ("mode", "epochs", "batch_size", "lr", "weight_decay", "warmup", "augment", "seed")
    classes = card.get("classes") or []
    return "\n".join(
        [
            *front_matter(card),
            "",
            f"# {title(card)}",
            "",
            f"Fine-tuned from `{shown_base(card) or '?'}` with fmstudio "
            f"{card.get('fmstudio_version', '')} on {str(card.get('created', ''))[:10]} "
            f"({card.get('mode', 'full')} mode, best epoch {card.get('best_epoch', '?')}).",
            "",
            *(["## Classes", "", ", ".join(map(str, classes)), ""] if classes else []),
            *_data(card),
            *_metrics(card),
            *confusion_summary(card),
            *_calibration(card),
            "## Hyperparameters",
            "",
            "| name | value |",
            "|---|---|",
            *(f"| {k} | {hyper[k]} |" for k in wanted if k in hyper),
            "",
            "## How to load",
            "",
            "```python",
            _loading(card).format(folder="path/to/this-folder", task=card.get("task")),
            "```",
            "",
        ]
    )


def _loading(card: dict[str, Any]) -> str:
    library = library_name(card)
    return LOADING.get(f"{library}:{card.get('task')}", LOADING[library])


def write(folder: Path, card: dict[str, Any]) -> None:
    atomic_write_text(folder / "README.md", render(card))
