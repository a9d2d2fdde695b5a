"""Other languages from the command line: a Chinese classifier trained on the multilingual
encoder, multilingual models in `models --json`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.runner import run
from tests.datasets import CHINESE_TOPICS, make_chinese_folder

pytestmark = pytest.mark.slow  # spawns the CLI


def test_a_chinese_dataset_trains_a_head_on_the_multilingual_encoder(tmp_path: Path) -> None:
    data = make_chinese_folder(tmp_path / "topics")
    out = run("train", "text", str(data), "--base", "use-multilingual", "--output", "zh-topics")
    assert out.returncode == 0, out.stderr
    assert "head mode: use-multilingual is a frozen encoder" in out.stderr
    new = ["这场排球比赛双方打得很精彩。", "今晚的饺子和面条都很好吃。", "下午可能会有雷阵雨。"]
    out = run("text", "classify", "--model", "zh-topics", "--json", *texts(tmp_path, new))
    assert out.returncode == 0, out.stderr
    found = [r["predictions"][0]["label"] for r in json.loads(out.stdout)]
    assert found == list(CHINESE_TOPICS)
    full = run(
        "train", "text", str(data), "--base", "use-multilingual", "--mode", "full", "--output", "x"
    )
    assert full.returncode != 0 and "use head mode" in full.stderr
    assert "Traceback" not in full.stderr


def test_models_json_lists_the_multilingual_models_offline() -> None:
    out = run("models", "--json")
    entries = {e["name"]: e for e in json.loads(out.stdout)}
    assert entries["whisper-base"]["available_offline"] is True
    assert entries["use-multilingual"]["available_offline"] is True


def texts(folder: Path, items: list[str]) -> list[str]:
    """Each text as a UTF-8 file (the CLI classifies files), in order."""
    paths = []
    for i, text in enumerate(items):
        path = folder / f"new{i}.txt"
        path.write_text(text, encoding="utf-8")
        paths.append(str(path))
    return paths


def test_zero_shot_with_the_multilingual_model_named(tmp_path: Path) -> None:
    news = texts(tmp_path, ["我今天去看了一场足球比赛。", "明天会下大雨，记得带伞。"])
    out = run(
        "text", "classify", *news, "--model", "use-multilingual", "--labels", "体育, 天气", "--json"
    )
    assert out.returncode == 0, out.stderr
    assert [r["predictions"][0]["label"] for r in json.loads(out.stdout)] == ["体育", "天气"]
    bad = run("text", "classify", *news, "--model", "use-multilingual")
    assert bad.returncode != 0 and "give --labels" in bad.stderr
    abbreviated = run("text", "classify", *news, "--label", "a, b")
    assert abbreviated.returncode == 2 and "unrecognized arguments: --label" in abbreviated.stderr
