"""An image classifier as an `Exportable`: pixels in, logits out, and its preprocessing."""

from __future__ import annotations

from fmstudio.core.export.graphs import Exportable
from fmstudio.core.image.models import ImageClassifier
from fmstudio.core.image.runtime import GRAPH, LogitsOnly, example_batch


def exportable(model: object) -> Exportable:
    if not isinstance(model, ImageClassifier):
        raise TypeError(f"not an image classifier: {type(model).__name__}")
    pre = model.preprocess
    return Exportable(
        LogitsOnly(model.model).eval(),
        (example_batch(pre.crop, 4),),
        GRAPH,
        {
            "task": "image",
            "labels": model.labels,
            "preprocess": pre.to_dict(),
            "input": f"pixel_values: float32 [batch, 3, {pre.crop}, {pre.crop}], RGB, "
            "resized, center-cropped, scaled to [0, 1], then (x - mean) / std",
            "output": "logits: float32 [batch, classes]; softmax gives probabilities",
        },
    )
