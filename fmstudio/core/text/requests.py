"""What the text classify job is asked to do; light, so the window builds it without torch."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Union

from fmstudio.core.modalities import TEXT
from fmstudio.core.text import DEFAULT_TEMPLATE

if TYPE_CHECKING:
    from fmstudio.core.classify.scan import Sample
    from fmstudio.core.text.head_model import HeadClassifier
    from fmstudio.core.text.models import TextClassifier, TextEncoder
    from fmstudio.core.text.multilingual import MultilingualEncoder

TextModel = Union[str, "TextEncoder", "MultilingualEncoder", "TextClassifier", "HeadClassifier"]


@dataclass(frozen=True)
class ClassifyTexts:
    """Rank labels for text files, table rows and pasted texts: zero-shot or fine-tuned."""

    paths: tuple[str, ...] = ()
    texts: tuple[str, ...] = ()
    labels: tuple[str, ...] = ()
    """The zero-shot labels; a fine-tuned model uses its own classes."""
    model: TextModel = ""
    template: str | None = DEFAULT_TEMPLATE
    top_k: int = 5
    batch_size: int = TEXT.default_batch
    device: str = "auto"
    text_column: str | None = None


def for_examples(
    samples: Sequence[Sample], model: TextModel, batch_size: int | None, thumbnail_size: int
) -> ClassifyTexts:
    """The request that classifies scanned examples as the Text tab does (long texts in
    windows); texts have no thumbnails."""
    return ClassifyTexts(
        texts=tuple(s.text or "" for s in samples),
        model=model,
        top_k=1,
        batch_size=batch_size or TEXT.default_batch,
    )
