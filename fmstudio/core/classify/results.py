"""Per-input results shared by every classifier job, and their CSV/JSON export."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fmstudio.core.atomic import atomic_write_text
from fmstudio.core.data.thumbnail import Thumbnail
from fmstudio.core.spreadsheet import to_csv

if TYPE_CHECKING:
    import torch


@dataclass(frozen=True)
class Prediction:
    label: str
    score: float


@dataclass(frozen=True)
class ItemResult:
    """One input (a file, or a row of a CSV) and its ranked predictions, or why it failed."""

    path: str
    predictions: tuple[Prediction, ...] = ()
    error: str | None = None
    thumbnail: Thumbnail | None = field(default=None, compare=False, repr=False)
    """A small picture of an image input, when the job was asked for one."""
    snippet: str | None = field(default=None, compare=False)
    """The start of a text input, flattened to one line."""
    text: str | None = field(default=None, compare=False, repr=False)
    """The whole text of an input no file holds alone (pasted, a table row): what a dataset
    or a sorted folder saves for it."""

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def top(self) -> Prediction | None:
        return self.predictions[0] if self.predictions else None

    def to_json(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "predictions": [
                {"label": p.label, "score": round(p.score, 6)} for p in self.predictions
            ],
            "error": self.error,
        }


def rank(probs: torch.Tensor, labels: list[str], top_k: int) -> list[tuple[Prediction, ...]]:
    """Top-k (label, score) per row of a probability matrix, best first."""
    k = max(1, min(top_k, probs.shape[-1]))
    scores, indices = probs.topk(k, dim=-1)
    return [
        tuple(
            Prediction(labels[i], float(s))
            for s, i in zip(row_s.tolist(), row_i.tolist(), strict=False)
        )
        for row_s, row_i in zip(scores, indices, strict=False)
    ]


def results_to_json(results: Sequence[ItemResult]) -> str:
    return json.dumps([r.to_json() for r in results], indent=2, ensure_ascii=False)


def results_to_csv(results: Sequence[ItemResult]) -> str:
    """One row per input: path, top label and score, the ranking as label:score pairs, and
    for texts the text (a pasted one has no file to look in); safe to open in a spreadsheet."""
    texts = any(r.text or r.snippet for r in results)
    header = ["path", "label", "score", "ranking", "error", *(["text"] if texts else [])]
    rows = (
        [
            r.path,
            r.top.label if r.top else "",
            f"{r.top.score:.6f}" if r.top else "",
            "; ".join(f"{p.label}:{p.score:.4f}" for p in r.predictions),
            r.error or "",
            *([r.text or r.snippet or ""] if texts else []),
        ]
        for r in results
    )
    return to_csv(header, rows)


def trimmed(results: Sequence[ItemResult], top_k: int) -> list[ItemResult]:
    """The results with the `top_k` best predictions each: what the window shows."""
    return [replace(r, predictions=tuple(r.predictions[:top_k])) for r in results]


def export(results: Sequence[ItemResult], path: Path) -> None:
    """Write CSV or JSON by the file's suffix, atomically."""
    text = results_to_json(results) if path.suffix.lower() == ".json" else results_to_csv(results)
    atomic_write_text(path, text)
