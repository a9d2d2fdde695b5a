"""The model card written beside model.json: hub front matter and the figures of the run."""

from __future__ import annotations

import yaml

from fmstudio.core import hub_card


def _card(**changes: object) -> dict:
    card = {
        "task": "image",
        "name": "pets",
        "base_model": "efficientnet_lite0",
        "mode": "full",
        "classes": ["cat", "dog", "fox"],
        "dataset": {
            "path": "/data/pets",
            "hash": "ab" * 32,
            "split": "random",
            "train_examples": 40,
            "val_examples": 12,
            "counts": {"cat": 20, "dog": 20, "fox": 12},
        },
        "metrics": {
            "accuracy": 0.75,
            "macro_f1": 0.7,
            "n": 12,
            "labels": ["cat", "dog", "fox"],
            "per_class": {"cat": {"f1": 0.8}, "dog": {"f1": 0.6}, "fox": {"f1": 0.7}},
            "confusion_matrix": [[4, 1, 0], [2, 2, 0], [0, 0, 3]],
        },
        "hyperparameters": {"epochs": 5, "lr": 0.001, "batch_size": 16, "data": "/data/pets"},
        "created": "2026-11-24T10:00:00+00:00",
        "fmstudio_version": "0.1.0",
        "best_epoch": 4,
    }
    return {**card, **changes}


def _front(text: str) -> dict:
    head, _, _ = text.removeprefix("---\n").partition("\n---\n")
    return yaml.safe_load(head)


def test_image_card_front_matter_and_sections() -> None:
    text = hub_card.render(_card(name=".unsaved-1234"))
    front = _front(text)
    index = front.pop("model-index")
    assert front == {
        "library_name": "timm",
        "license": "apache-2.0",
        "base_model": "timm/tf_efficientnet_lite0.in1k",
        "tags": ["fmstudio", "image-classification", "full-finetune"],
        "pipeline_tag": "image-classification",
        "metrics": ["accuracy", "f1"],
    }
    assert index[0]["results"][0]["metrics"] == [
        {"type": "accuracy", "value": 0.75},
        {"type": "f1", "value": 0.7},
    ]
    title = "Image classification model fine-tuned from timm/tf_efficientnet_lite0.in1k"
    assert f"# {title}" in text
    assert "cat, dog, fox" in text and "cat 20, dog 20, fox 12" in text
    assert "| accuracy | 0.7500 |" in text and "| f1 (dog) | 0.6000 |" in text
    confused = text.split("## Most confused")[1].split("##")[0]
    assert confused.strip().splitlines() == ["- dog → cat: 2", "- cat → dog: 1"]
    assert "| epochs | 5 |" in text and "/data/pets |" not in text.split("## Hyperparameters")[1]
    assert "local-dir:path/to/this-folder" in text and "unsaved" not in text


def test_speech_and_head_cards_name_their_libraries() -> None:
    speech = _card(
        task="speech",
        base_model="whisper-tiny.en",
        classes=[],
        metrics={"wer_before": 0.3, "wer_after": 0.1, "val_clips": 4},
    )
    text = hub_card.render(speech)
    assert _front(text)["library_name"] == "ctranslate2"
    assert _front(text)["base_model"] == "openai/whisper-tiny.en"
    assert _front(text)["metrics"] == ["wer", "cer"] and "| wer_after | 0.1000 |" in text
    assert "## Most confused" not in text and "WhisperModel(" in text
    head = _card(task="text", base_model="use-multilingual", mode="head")
    assert _front(hub_card.render(head))["library_name"] == "fmstudio"
    plain = _card(task="text", base_model="/my/bert", metrics={})
    text = hub_card.render(plain)
    assert _front(text)["base_model"] == "bert" and "No validation examples" in text
    assert "model-index" not in _front(text) and "license" not in _front(text)  # unknown


def test_the_hubs_own_parser_reads_the_results_and_no_local_path_is_left() -> None:
    """A hub showed no results (no model-index) and the card named /home/... folders."""
    from huggingface_hub import ModelCard

    text = hub_card.render(_card(base_model="/home/me/models/pets-v1"))
    assert "/home/me" not in text and "/data/pets" not in text
    card = ModelCard(text)
    assert card.data.base_model == "pets-v1"
    results = {r.metric_type: r.metric_value for r in card.data.eval_results}
    assert results == {"accuracy": 0.75, "f1": 0.7}
    assert {r.dataset_name for r in card.data.eval_results} == {"pets"}
    speech = hub_card.render(
        _card(task="speech", base_model="whisper-base", classes=[], metrics={"wer_after": 0.12})
    )
    card = ModelCard(speech)
    assert card.data.license == "mit"
    assert [(r.metric_type, r.metric_value) for r in card.data.eval_results] == [("wer", 0.12)]
