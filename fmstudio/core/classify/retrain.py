"""Retrain a library model on its grown dataset: the same base and settings, from model.json,
measured on the same validation files as before."""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path
from typing import Any

from fmstudio.core import catalog
from fmstudio.core.errors import FmError
from fmstudio.core.library import read_card
from fmstudio.core.train.spec import TrainSpec


def _card(name: str, task: str) -> dict[str, Any]:
    """The model's card, or {} for a model fmstudio did not train (or cannot find)."""
    try:
        entry = catalog.resolve(name, task)
    except FmError:
        return {}
    card = read_card(Path(entry.location)) if entry.location else {}
    return card if card.get("task") == task else {}


def trained_on(name: str, task: str) -> str | None:
    """The dataset folder a library model was trained on, if it is one of fmstudio's."""
    path = _card(name, task).get("dataset", {}).get("path")
    return str(path) if path else None


def previous_validation(name: str, task: str) -> list[str]:
    """The files (relative to its dataset) a library model was validated on, if it says."""
    return [str(f) for f in _card(name, task).get("dataset", {}).get("val_files", [])]


def retrain_spec(name: str, task: str) -> TrainSpec:
    """The spec the model was trained with (its output left empty for the caller to choose).

    Raises FmError when the model has no card (not made by fmstudio) or its dataset is gone.
    """
    card = _card(name, task)
    if not card:
        raise FmError(f"{name} was not trained by fmstudio: there is nothing to retrain it from")
    data = str(card.get("dataset", {}).get("path") or "")
    if not data or not Path(data).exists():
        raise FmError(f"{name} was trained on {data or 'a dataset'}, which is no longer there")
    known = {f.name for f in fields(TrainSpec)}
    settings = {k: v for k, v in card.get("hyperparameters", {}).items() if k in known}
    settings.update(task=task, data=data, output="", base=card.get("base_model") or None)
    try:
        return TrainSpec(**settings)
    except (TypeError, ValueError) as exc:
        raise FmError(f"{name}'s model.json has settings fmstudio cannot use: {exc}") from exc
