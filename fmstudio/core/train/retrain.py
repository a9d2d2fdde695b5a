"""Retrain a library model on its grown dataset: the same base and settings, from model.json."""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path

from fmstudio.core import catalog
from fmstudio.core.errors import FmError
from fmstudio.core.library import read_card
from fmstudio.core.train.spec import TrainSpec


def trained_on(name: str, task: str) -> str | None:
    """The dataset folder a library model was trained on, if it is one of fmstudio's."""
    try:
        entry = catalog.resolve(name, task)
    except FmError:
        return None
    card = read_card(Path(entry.location)) if entry.location else {}
    path = card.get("dataset", {}).get("path")
    return str(path) if path else None


def retrain_spec(name: str, task: str) -> TrainSpec:
    """The spec the model was trained with (its output left empty for the caller to choose).

    Raises FmError when the model has no card (not made by fmstudio) or its dataset is gone.
    """
    entry = catalog.resolve(name, task)
    card = read_card(Path(entry.location)) if entry.location else {}
    if not card or card.get("task") != task:
        raise FmError(f"{name} was not trained by fmstudio: there is nothing to retrain it from")
    data = str(card.get("dataset", {}).get("path", ""))
    if not data or not Path(data).exists():
        raise FmError(f"{name} was trained on {data or 'a dataset'}, which is no longer there")
    known = {f.name for f in fields(TrainSpec)}
    settings = {k: v for k, v in card.get("hyperparameters", {}).items() if k in known}
    settings.update(task=task, data=data, output="", base=card.get("base_model") or None)
    try:
        return TrainSpec(**settings)
    except (TypeError, ValueError) as exc:
        raise FmError(f"{name}'s model.json has settings fmstudio cannot use: {exc}") from exc
