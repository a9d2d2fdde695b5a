"""Scores a user can trust: temperature scaling, and the score below which a model is unsure.

A fine-tuned network's softmax is over-confident (label smoothing, few examples), so after
training one temperature is fitted on the validation split's logits (the one that minimises
their negative log-likelihood, Guo et al. 2017) and every later score divides the logits by
it. The "unsure" threshold is then the lowest top score at which the validation predictions
kept are right at least `PRECISION` of the time; it is saved in model.json and honoured by the
tabs (such rows are marked unsure) and by sorting (such inputs go to `_unsure/`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from fmstudio.core import catalog
from fmstudio.core.errors import FmError
from fmstudio.core.library import read_card

PRECISION = 0.95
"""What "sure" means: kept predictions right 95 % of the time on the validation split."""
TEMPERATURES = np.exp(np.linspace(np.log(0.2), np.log(10.0), 300))
MIN_EXAMPLES = 30
"""Fewer validation examples than this fit no temperature (1.0): a handful of examples that
a model gets right would sharpen its scores without end."""


@dataclass(frozen=True)
class Calibration:
    temperature: float = 1.0
    unsure_below: float = 0.0
    """Top scores below this are unsure (0: the model was right often enough everywhere)."""
    precision: float = PRECISION
    kept: float = 1.0
    """The share of validation examples at or above the threshold."""

    def to_json(self) -> dict[str, float]:
        return {
            "temperature": round(self.temperature, 4),
            "unsure_below": round(self.unsure_below, 4),
            "precision": self.precision,
            "kept": round(self.kept, 4),
        }

    @staticmethod
    def from_json(found: Any) -> Calibration:
        """What model.json says, or no calibration (1.0, 0.0) for a model made before it."""
        if not isinstance(found, dict):
            return Calibration()
        try:
            return Calibration(
                float(found.get("temperature", 1.0)),
                float(found.get("unsure_below", 0.0)),
                float(found.get("precision", PRECISION)),
                float(found.get("kept", 1.0)),
            )
        except (TypeError, ValueError):
            return Calibration()


def calibration_of(folder: Path) -> Calibration:
    """A model folder's calibration, from its model.json (none for other models)."""
    return Calibration.from_json(read_card(folder).get("calibration"))


def unsure_below(model: str, task: str) -> float:
    """The unsure threshold that `model` saved (0 for a model that has none, or none found)."""
    try:
        location = catalog.resolve(model, task).location
    except FmError:
        return 0.0
    return calibration_of(Path(location)).unsure_below if location else 0.0


def softmax(logits: np.ndarray, temperature: float = 1.0) -> np.ndarray:
    scaled = logits / temperature
    scaled = scaled - scaled.max(axis=1, keepdims=True)
    exp = np.exp(scaled)
    probs: np.ndarray = exp / exp.sum(axis=1, keepdims=True)
    return probs


def fit_temperature(logits: np.ndarray, labels: np.ndarray) -> float:
    """The temperature that minimises the validation set's negative log-likelihood (a search
    over 0.2 to 10 in log steps: one parameter, so no optimiser can do better by much)."""
    if len(labels) < MIN_EXAMPLES:
        return 1.0
    rows = np.arange(len(labels))

    def nll(t: float) -> float:
        return float(-np.log(softmax(logits, t)[rows, labels] + 1e-12).mean())

    return float(min(TEMPERATURES, key=nll))


def unsure_threshold(probs: np.ndarray, labels: np.ndarray, precision: float = PRECISION) -> float:
    """The lowest top score from which on the kept predictions are right at least `precision`
    of the time (1.0 when no threshold reaches it: then every prediction is unsure)."""
    top = probs.max(axis=1)
    right = probs.argmax(axis=1) == labels
    order = np.argsort(-top, kind="stable")
    running = np.cumsum(right[order]) / np.arange(1, len(order) + 1)
    good = np.flatnonzero(running >= precision)
    if not len(good):
        return 1.0
    last = good[-1]
    if last == len(order) - 1:
        return 0.0  # right often enough everywhere: nothing is unsure
    return float(top[order[last]])


def calibrate(logits: np.ndarray, labels: np.ndarray, precision: float = PRECISION) -> Calibration:
    temperature = fit_temperature(logits, labels)
    probs = softmax(logits, temperature)
    threshold = unsure_threshold(probs, labels, precision)
    kept = float((probs.max(axis=1) >= threshold).mean())
    return Calibration(temperature, threshold, precision, kept)


@dataclass(frozen=True)
class Thresholds:
    """What the Evaluate page's threshold view draws: the validation examples' calibrated
    class scores and true classes, and the calibration fitted on them."""

    classes: list[str]
    probs: np.ndarray
    labels: np.ndarray
    calibration: Calibration

    def curve(self, cls: int, steps: int = 101) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Thresholds from 0 to 1, and class `cls`'s precision and recall at each."""
        thresholds = np.linspace(0.0, 1.0, steps)
        precision, recall = precision_recall(self.probs, self.labels, cls, thresholds)
        return thresholds, precision, recall


def precision_recall(
    probs: np.ndarray, labels: np.ndarray, cls: int, thresholds: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Per threshold: the precision and recall of predicting `cls` when it is the top class
    and its score reaches the threshold (precision 1 where nothing is predicted)."""
    top = probs.argmax(axis=1) == cls
    score = probs[:, cls]
    truth = labels == cls
    predicted = top[None, :] & (score[None, :] >= thresholds[:, None])
    hits = (predicted & truth[None, :]).sum(axis=1)
    made = predicted.sum(axis=1)
    precision = np.where(made > 0, hits / np.maximum(made, 1), 1.0)
    recall = hits / max(int(truth.sum()), 1)
    return precision, recall
