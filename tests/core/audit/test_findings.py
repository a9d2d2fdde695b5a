"""What the audit finds, on embeddings built here where the truth is known."""

from __future__ import annotations

import numpy as np

from fmstudio.core.audit import findings


def _clusters(per_class: int = 40, classes: int = 3, seed: int = 0):
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(classes, 32)) * 3
    labels = np.repeat(np.arange(classes), per_class)
    return centres[labels] + rng.normal(size=(len(labels), 32)), labels


def test_flipped_labels_lead_the_suspects_with_the_class_they_belong_to() -> None:
    x, labels = _clusters()
    given = labels.copy()
    flipped = [3, 50, 97]
    for i in flipped:
        given[i] = (labels[i] + 1) % 3
    probs = findings.out_of_fold(x, given)
    found = findings.suspects(probs, given, ["a", "b", "c"])
    assert {s.index for s in found[:3]} == set(flipped)
    first = next(s for s in found if s.index == 50)
    assert first.given == "c" and first.suggested == "b" and first.score < 0.5


def test_near_duplicates_and_leaks_are_paired_and_others_are_not() -> None:
    x, _ = _clusters()
    x[10] = x[20] + 0.01  # a near copy within a class
    pairs = findings.near_duplicates(x)
    assert [(p.first, p.second) for p in pairs] == [(10, 20)]
    train, held = np.arange(0, 100), np.arange(100, 120)
    x[105] = x[7] * 1.001  # a held-out file that is a training one, rescaled
    leaked = findings.leaks(x, train, held)
    assert [(p.first, p.second) for p in leaked] == [(7, 105)] and leaked[0].similarity > 0.99


def test_an_example_far_from_its_class_is_an_outlier() -> None:
    x, labels = _clusters()
    x[15] = -x[15] * 5  # nothing like its class
    found = findings.outliers(x, labels)
    assert found[0][0] == 15 and len(found) <= 6


def test_a_class_the_probes_keep_taking_for_another_is_named_with_its_share() -> None:
    from fmstudio.core.audit.findings import overlapping_classes

    labels = np.array([0] * 10 + [1] * 10 + [2] * 10)
    probs = np.eye(3)[labels].astype(float)
    probs[:4] = [0.2, 0.7, 0.1]  # 4 of 10 cats look like dogs to the probes
    probs[20] = [0.1, 0.3, 0.6]  # a bird the probes doubt, yet still call a bird
    probs[10] = [0.9, 0.05, 0.05]  # one dog in ten taken for a cat: a tenth, the least counted
    found = overlapping_classes(probs, labels, ["cat", "dog", "bird"])
    assert found == [("cat", "dog", 0.4), ("dog", "cat", 0.1)]
