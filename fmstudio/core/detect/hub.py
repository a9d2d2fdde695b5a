"""Hugging Face object detectors (DETR, RT-DETR, D-FINE, YOLOS…) through transformers'
object-detection classes, for users with a network (or a model folder): the same `detect`
the bundled CenterNet offers, so the job, the tab and the evaluation take either."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch
from PIL import Image

from fmstudio.core.detect.results import KEEP_SCORE, Box
from fmstudio.core.hub import load_folder_or_hub, quiet_transformers


@dataclass
class HubDetector:
    """A transformers detector and its image processor (resizing, normalising, decoding)."""

    name: str
    model: Any
    processor: Any
    classes: list[str]
    device: str = "cpu"
    runtime: str = "PyTorch (transformers)"
    runtime_reason: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @torch.inference_mode()
    def detect(self, images: list[Image.Image]) -> list[list[Box]]:
        """Each image's boxes scoring at least KEEP_SCORE, best first, in its own pixels."""
        rgb = [im.convert("RGB") for im in images]
        inputs = self.processor(images=rgb, return_tensors="pt").to(self.device)
        outputs = self.model(**inputs)
        sizes = torch.tensor([[im.height, im.width] for im in rgb])
        found = self.processor.post_process_object_detection(
            outputs, threshold=KEEP_SCORE, target_sizes=sizes
        )
        return [_boxes(r, self.model.config.id2label) for r in found]


def _boxes(result: dict[str, torch.Tensor], names: dict[int, str]) -> list[Box]:
    order = result["scores"].argsort(descending=True)
    return [
        Box(
            str(names.get(int(result["labels"][i]), int(result["labels"][i]))),
            float(result["scores"][i]),
            (*(float(v) for v in result["boxes"][i].tolist()),),  # type: ignore[arg-type]
        )
        for i in order
    ]


def load_hub_detector(source: str | Path, name: str, device: str = "cpu") -> HubDetector:
    """A transformers detector from a model folder or a hub id (cached, else downloaded)."""
    from transformers import AutoImageProcessor, AutoModelForObjectDetection

    quiet_transformers()

    def _load() -> tuple[Any, Any]:
        model = AutoModelForObjectDetection.from_pretrained(str(source))
        return model, AutoImageProcessor.from_pretrained(str(source))

    model, processor = load_folder_or_hub(name, source, _load, "detector")
    names = model.config.id2label
    classes = [str(names[i]) for i in sorted(names)]
    return HubDetector(name, model.eval().to(device), processor, classes, device)
