"""What an audit finds in a dataset's embeddings: likely label errors, near duplicates, leaks
between the training and held-out files, and outliers. Plain numpy and scikit-learn on
L2-normalised embeddings; no model runs here.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np

FOLDS = 5
NEIGHBOURS = 10
DUPLICATE = 0.97
"""Cosine similarity at or above which two examples are near duplicates."""
OUTLIER_QUANTILE = 0.99
"""Examples farther from their nearest neighbours than 99 % of their class are outliers."""
CHUNK = 2048


@dataclass(frozen=True)
class Suspect:
    index: int
    given: str
    suggested: str
    score: float
    """How likely the given label is right, 0-1 (cleanlab's normalised margin: low is wrong)."""


@dataclass(frozen=True)
class Pair:
    first: int
    second: int
    similarity: float


def normalised(embeddings: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(embeddings, axis=1, keepdims=True)
    return embeddings / np.where(norms > 0, norms, 1.0)


def out_of_fold(embeddings: np.ndarray, labels: np.ndarray, seed: int = 0) -> np.ndarray:
    """(examples, classes) probabilities, each from probes that never saw that example: a
    logistic regression on the embeddings and a k-nearest-neighbours vote by cosine, averaged.
    They err apart: on digits and docstrings with 10 % of the labels flipped the pair ranked
    84 % of the flips into the top k, the regression alone 82 %, the vote alone 76 %
    (benchmarks/audit_labels.py)."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold

    unit = normalised(embeddings)
    classes = int(labels.max()) + 1
    folds = min(FOLDS, int(np.bincount(labels).min()))
    probs = np.zeros((len(unit), classes))
    splits = StratifiedKFold(folds, shuffle=True, random_state=seed).split(unit, labels)
    for train, held in splits:
        probe = LogisticRegression(max_iter=2000).fit(embeddings[train], labels[train])
        logistic = np.zeros((len(held), classes))
        logistic[:, probe.classes_] = probe.predict_proba(embeddings[held])
        vote = _neighbour_vote(unit[train], labels[train], unit[held], classes)
        probs[held] = (logistic + vote) / 2
    return probs


def _neighbour_vote(
    known: np.ndarray, labels: np.ndarray, asked: np.ndarray, classes: int
) -> np.ndarray:
    """Each asked example's class shares among its nearest known neighbours (cosine)."""
    k = min(NEIGHBOURS, len(known))
    nearest = np.argsort(-(asked @ known.T), axis=1)[:, :k]
    votes = np.zeros((len(asked), classes))
    for column in range(k):
        np.add.at(votes, (np.arange(len(asked)), labels[nearest[:, column]]), 1.0)
    return votes / k


def suspects(probs: np.ndarray, labels: np.ndarray, names: Sequence[str]) -> list[Suspect]:
    """Likely label errors, most likely first: the examples that cleanlab's confident learning
    flags on the held-out probabilities, or that the probes give to another class, ranked by
    the normalised margin between the given class and the likeliest other one (cleanlab's
    label quality score)."""
    from cleanlab.filter import find_label_issues
    from cleanlab.rank import get_label_quality_scores

    flagged = find_label_issues(labels, probs, filter_by="prune_by_noise_rate")
    flagged |= probs.argmax(axis=1) != labels
    quality = get_label_quality_scores(labels, probs, method="normalized_margin")
    found = sorted(np.nonzero(flagged)[0], key=lambda i: quality[i])
    return [
        Suspect(
            int(i),
            names[labels[i]],
            names[int(probs[i].argmax())],
            float(quality[i]),
        )
        for i in found
    ]


def _similar(x: np.ndarray, y: np.ndarray, same: bool) -> Iterator[Pair]:
    """Pairs (i in x, j in y) at or above DUPLICATE, a block of rows at a time."""
    for start in range(0, len(x), CHUNK):
        block = x[start : start + CHUNK] @ y.T
        rows, cols = np.nonzero(block >= DUPLICATE)
        for r, c in zip(rows.tolist(), cols.tolist(), strict=True):
            i = start + r
            if not same or i < c:
                yield Pair(i, c, float(block[r, c]))


def near_duplicates(embeddings: np.ndarray) -> list[Pair]:
    """Every pair of examples that are nearly the same, most alike first."""
    x = normalised(embeddings)
    return sorted(_similar(x, x, same=True), key=lambda p: -p.similarity)


def leaks(embeddings: np.ndarray, train: np.ndarray, held_out: np.ndarray) -> list[Pair]:
    """Held-out examples nearly the same as a training one (indices into `embeddings`)."""
    x = normalised(embeddings)
    pairs = _similar(x[train], x[held_out], same=False)
    found = [Pair(int(train[p.first]), int(held_out[p.second]), p.similarity) for p in pairs]
    return sorted(found, key=lambda p: -p.similarity)


def outliers(embeddings: np.ndarray, labels: np.ndarray) -> list[tuple[int, float]]:
    """Examples unlike the rest of their class: the mean distance to their nearest classmates
    beyond the class's 99th percentile (with at least 10 in the class), farthest first."""
    x = normalised(embeddings)
    found: list[tuple[int, float]] = []
    for label in np.unique(labels):
        members = np.nonzero(labels == label)[0]
        if len(members) < NEIGHBOURS:
            continue
        similarity = x[members] @ x[members].T
        np.fill_diagonal(similarity, -np.inf)
        k = min(NEIGHBOURS, len(members) - 1)
        nearest = -np.sort(-similarity, axis=1)[:, :k]
        distance = 1 - nearest.mean(axis=1)
        limit = np.quantile(distance, OUTLIER_QUANTILE)
        found += [(int(members[i]), float(d)) for i, d in enumerate(distance) if d > limit]
    return sorted(found, key=lambda f: -f[1])


OVERLAP = 0.1
"""A class overlaps another when the held-out probes take a tenth of it for the other."""


def overlapping_classes(
    probs: np.ndarray, labels: np.ndarray, names: Sequence[str], least: float = OVERLAP
) -> list[tuple[str, str, float]]:
    """(class, the class it is taken for, the share of its examples so taken), most first:
    classes whose examples look alike to the model (one concept split in two, or two that
    need more examples to tell apart)."""
    predicted = probs.argmax(axis=1)
    found = []
    for a, name in enumerate(names):
        members = predicted[labels == a]
        for b in np.unique(members):
            share = float((members == b).mean())
            if b != a and share >= least:
                found.append((name, names[int(b)], share))
    return sorted(found, key=lambda t: -t[2])
