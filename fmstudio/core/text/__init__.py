"""Text: sentence embeddings for zero-shot, and sequence classifiers.

This file stays free of heavy imports so the window can read the defaults instantly.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

DEFAULT_TEMPLATE = "This text is about {label}."
MULTILINGUAL = "use-multilingual"
"""The bundled multilingual sentence encoder's catalogue name."""


def parse_labels(raw: str | Sequence[str]) -> list[str]:
    """Labels from "a, b, c" or one per line; blanks and repeats dropped, order kept."""
    items = re.split(r"[,\n]", raw) if isinstance(raw, str) else list(raw)
    seen: dict[str, None] = {}
    for item in items:
        label = item.strip()
        if label and label.lower() not in {k.lower() for k in seen}:
            seen[label] = None
    return list(seen)
