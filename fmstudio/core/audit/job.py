"""The audit job: scan the folder, embed every example (cached), and report what looks wrong."""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from fmstudio.core.audit import findings
from fmstudio.core.audit.embeddings import embed
from fmstudio.core.audit.map import layout
from fmstudio.core.classify.scan import DatasetReport, Sample, scan
from fmstudio.core.devices import resolve_device
from fmstudio.core.errors import FmError
from fmstudio.core.events import Activity, CancelToken, Event, phase
from fmstudio.core.modalities import modality
from fmstudio.core.requests import Audit


@dataclass
class AuditResult:
    """What the audit found, by file; `samples` are the examples audited, in order."""

    root: str
    model: str
    samples: list[Sample]
    suspects: list[findings.Suspect] = field(default_factory=list)
    duplicates: list[findings.Pair] = field(default_factory=list)
    leaks: list[findings.Pair] = field(default_factory=list)
    outliers: list[tuple[int, float]] = field(default_factory=list)
    overlaps: list[tuple[str, str, float]] = field(default_factory=list)
    """(class, taken for, share): `findings.overlapping_classes`."""
    points: np.ndarray | None = None
    """(examples, 2): where each example sits on the embedding map (`map.layout`)."""

    def path(self, index: int) -> str:
        return self.samples[index].path

    def _pairs(self, pairs: list[findings.Pair]) -> list[list[Any]]:
        return [[self.path(p.first), self.path(p.second), round(p.similarity, 4)] for p in pairs]

    def to_json(self) -> dict[str, Any]:
        return {
            "suspects": [
                {
                    "path": self.path(s.index),
                    "given": s.given,
                    "suggested": s.suggested,
                    "score": round(s.score, 4),
                }
                for s in self.suspects
            ],
            "duplicates": self._pairs(self.duplicates),
            "leaks": self._pairs(self.leaks),
            "outliers": [
                {"path": self.path(i), "label": self.samples[i].label, "distance": round(d, 4)}
                for i, d in self.outliers
            ],
            "overlaps": [
                {"class": a, "taken_for": b, "share": round(share, 4)}
                for a, b, share in self.overlaps
            ],
        }

    def summary(self) -> str:
        return (
            f"{len(self.samples)} examples: {len(self.suspects)} likely label errors, "
            f"{len(self.duplicates)} near-duplicate pairs, {len(self.leaks)} leaks between "
            f"training and held-out files, {len(self.outliers)} outliers, "
            f"{len(self.overlaps)} overlapping class pairs"
        )


def _checked(request: Audit) -> DatasetReport:
    report = scan(request.root, request.task, val_split=0.0)
    if not report.ok:
        raise FmError("the dataset cannot be audited:\n" + "\n".join(report.errors))
    return report


def audit(
    request: Audit, *, cancel: CancelToken | None = None
) -> Generator[Event, None, AuditResult]:
    """Audit a dataset folder (its train/ and val/ or test/ folders together, leaks between)."""
    cancel = cancel or CancelToken()
    yield Activity(f"Scanning {request.root}…")
    report = _checked(request)
    samples = report.train + report.val
    model = request.model or modality(request.task).base_model
    device = resolve_device(request.device)
    vectors = yield from phase(
        embed(samples, request.task, model, report.classes, device, cancel), 0.0, 0.9
    )
    cancel.raise_if_cancelled()
    yield Activity("Looking for label errors, duplicates and outliers…")
    labels = np.array([report.classes.index(s.label) for s in samples])
    probs = findings.out_of_fold(vectors, labels, request.seed)
    result = AuditResult(request.root, model, samples)
    result.suspects = findings.suspects(probs, labels, report.classes)
    result.duplicates = findings.near_duplicates(vectors)
    if report.split == "folders":
        held = np.arange(len(report.train), len(samples))
        result.leaks = findings.leaks(vectors, np.arange(len(report.train)), held)
    result.outliers = findings.outliers(vectors, labels)
    result.overlaps = findings.overlapping_classes(probs, labels, report.classes)
    cancel.raise_if_cancelled()
    yield Activity("Drawing the map…")
    result.points = layout(vectors, request.seed)
    return result
