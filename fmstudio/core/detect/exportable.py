"""A detector as an `Exportable`: pixels in, class logits and box sides out, and how to read
them (the export job writes the graph, checks it against torch and saves this beside it)."""

from __future__ import annotations

from fmstudio.core.detect.models import STRIDE, Detector
from fmstudio.core.detect.runtime import GRAPH, Joined, example_batch
from fmstudio.core.export.graphs import Exportable


def exportable(model: object) -> Exportable:
    if not isinstance(model, Detector):
        raise TypeError(f"not a detector: {type(model).__name__}")
    size = model.input_size
    return Exportable(
        Joined(model.net).eval(),
        (example_batch(size, 2),),
        GRAPH,
        {
            "task": "detect",
            "labels": model.classes,
            "input_size": size,
            "stride": STRIDE,
            "input": f"images: float32 [batch, 3, {size}, {size}], RGB 0-255; the photo scaled "
            f"to fit {size} px with its aspect kept, at the top left, zero padding",
            "output": f"outputs: float32 [batch, classes + 4, {size // STRIDE}, "
            f"{size // STRIDE}]: class logits (sigmoid gives scores; a 3x3 local maximum is "
            f"an object's centre, at cell * {STRIDE} input pixels), then the distances from "
            "the centre to the box's left, top, right and bottom sides, in input pixels",
        },
    )
