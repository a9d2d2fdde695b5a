"""Small labelled datasets and tiny models that the training tests build themselves."""

from __future__ import annotations

import random
from pathlib import Path

from PIL import Image

COLOURS = {"red": (200, 40, 40), "blue": (40, 60, 200)}

SPORTS = ["goal", "match", "team", "coach", "league", "striker", "penalty", "season", "score"]
COOKING = ["sauce", "oven", "recipe", "flour", "simmer", "garlic", "butter", "bake", "onion"]
FILLER = ["the", "a", "after", "with", "today", "again", "new", "big", "and"]


def make_image_folder(root: Path, per_class: int = 12, size: int = 40, seed: int = 0) -> Path:
    """Noisy images whose dominant colour is their class: easy to learn, not trivial."""
    rng = random.Random(seed)
    for label, (r, g, b) in COLOURS.items():
        folder = root / label
        folder.mkdir(parents=True, exist_ok=True)
        for i in range(per_class):
            img = Image.new("RGB", (size, size))
            img.putdata(
                [
                    tuple(max(0, min(255, c + rng.randint(-60, 60))) for c in (r, g, b))
                    for _ in range(size * size)
                ]
            )
            img.save(folder / f"{label}_{i}.png")
    return root


def make_text_folder(root: Path, per_class: int = 12, seed: int = 0) -> Path:
    """Short sentences about sports or cooking, one file each."""
    rng = random.Random(seed)
    for label, words in (("sports", SPORTS), ("cooking", COOKING)):
        folder = root / label
        folder.mkdir(parents=True, exist_ok=True)
        for i in range(per_class):
            chosen = rng.sample(words, 3) + rng.sample(FILLER, 3)
            rng.shuffle(chosen)
            (folder / f"{i}.txt").write_text(" ".join(chosen) + ".", encoding="utf-8")
    return root


def make_tiny_image_base(folder: Path) -> Path:
    """timm's 100k-parameter test EfficientNet at 32x32, saved as a library model folder."""
    import timm
    import torch
    from timm.models import save_for_hf

    torch.manual_seed(0)
    model = timm.create_model("test_efficientnet", num_classes=3)
    save_for_hf(
        model,
        str(folder),
        model_config={
            "label_names": ["x", "y", "z"],
            "fmstudio_preprocess": {"resize": 36, "crop": 32},
        },
        safe_serialization=True,
    )
    return folder


def make_tiny_text_base(folder: Path, labels: tuple[str, ...] = ("neg", "neutral", "pos")) -> Path:
    """A 2-layer BERT with a classifier head, saved with the bundled MiniLM's tokenizer."""
    import torch
    from transformers import AutoTokenizer, BertConfig, BertForSequenceClassification

    from fmstudio.core.text.models import bundled_folder

    torch.manual_seed(0)
    config = BertConfig(
        vocab_size=30522,
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=64,
        max_position_embeddings=128,
        id2label=dict(enumerate(labels)),
        label2id={label: i for i, label in enumerate(labels)},
    )
    BertForSequenceClassification(config).save_pretrained(folder)
    AutoTokenizer.from_pretrained(bundled_folder()).save_pretrained(folder)
    return folder
