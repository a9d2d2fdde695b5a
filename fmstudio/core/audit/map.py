"""Where each example sits on the embedding map: near on the map is near in the model's eyes.

t-SNE (scikit-learn) on the first 50 principal components of the unit-length embeddings: it
keeps neighbourhoods, which is what a user lassoing a cluster of look-alikes wants; the
principal components first make 10,000 examples take seconds, not minutes.
"""

from __future__ import annotations

import numpy as np

from fmstudio.core.audit.findings import normalised

COMPONENTS = 50
MIN_FOR_TSNE = 10
"""Fewer examples than this are laid out by their first two principal components."""


def layout(embeddings: np.ndarray, seed: int = 0) -> np.ndarray:
    """(examples, 2) positions in [0, 1] on both axes."""
    from sklearn.decomposition import PCA
    from sklearn.manifold import TSNE

    unit = normalised(embeddings.astype(np.float32))
    n = len(unit)
    if n < 3:
        return np.full((n, 2), 0.5)
    reduced = PCA(min(COMPONENTS, n - 1, unit.shape[1]), random_state=seed).fit_transform(unit)
    if n < MIN_FOR_TSNE:
        points = reduced[:, :2] if reduced.shape[1] >= 2 else np.c_[reduced, np.zeros(n)]
    else:
        perplexity = min(30.0, (n - 1) / 3)
        tsne = TSNE(2, perplexity=perplexity, init="pca", random_state=seed, max_iter=500)
        points = tsne.fit_transform(reduced)
    low, high = points.min(axis=0), points.max(axis=0)
    return np.asarray((points - low) / np.where(high > low, high - low, 1.0))
