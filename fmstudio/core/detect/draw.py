"""Boxes drawn onto a copy of the image, for `fmstudio detect --draw-into` (the window draws
its own, over the image it shows)."""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from fmstudio.core.data.images import load_image
from fmstudio.core.detect.results import Box
from fmstudio.core.placing import write_bytes_into

PALETTE = ("#e6194b", "#3cb44b", "#4363d8", "#f58231", "#911eb4", "#42d4f4", "#f032e6",
           "#9a6324", "#800000", "#469990", "#000075", "#808000")  # fmt: skip
"""Colours told apart on photos and by most colour-blind eyes (Sasha Trubetskoy's set)."""


def colour(label: str, labels: Sequence[str]) -> str:
    """A class's colour: the same in every image of a run."""
    index = labels.index(label) if label in labels else sum(map(ord, label))
    return PALETTE[index % len(PALETTE)]


def drawn(image: Image.Image, boxes: Sequence[Box], labels: Sequence[str]) -> Image.Image:
    """A copy of `image` with each box outlined and captioned with its class and score."""
    out = image.convert("RGB")
    pen = ImageDraw.Draw(out)
    width = max(2, round(max(out.size) / 300))
    font = ImageFont.load_default(size=max(12, round(max(out.size) / 40)))
    for box in sorted(boxes, key=lambda b: b.score):  # the best caption ends on top
        fill = colour(box.label, labels)
        pen.rectangle(box.box, outline=fill, width=width)
        caption = f"{box.label} {box.score:.0%}"
        x, y = box.box[0], box.box[1]
        _, _, right, bottom = pen.textbbox((x, y), caption, font=font)
        height = bottom - y + 2 * width
        lift = height if y >= height else 0  # above the box, or inside it at the top edge
        pen.rectangle((x, y - lift, right + 2 * width, y - lift + height), fill=fill)
        pen.text((x + width, y - lift + width), caption, fill="white", font=font)
    return out


def draw_into(path: Path, boxes: Sequence[Box], labels: Sequence[str], folder: Path) -> Path:
    """Write `path` with its boxes drawn into `folder` under its own name (or a free variant:
    two inputs called the same never overwrite each other), as PNG or JPEG like the input."""
    image = drawn(load_image(path), boxes, labels)
    jpeg = path.suffix.lower() in (".jpg", ".jpeg")
    data = io.BytesIO()
    image.save(data, "JPEG" if jpeg else "PNG", quality=92)
    return write_bytes_into(data.getvalue(), folder, path.stem + (".jpg" if jpeg else ".png"))
