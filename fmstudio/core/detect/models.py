"""Load detectors and turn their outputs into boxes.

The bundled detector is MobileNetV3-CenterNet trained on COCO (fmstudio/resources/centernet,
converted by scripts/convert_centernet.py). A CenterNet scores every 4th pixel of its input
for each class (a heat-map: a peak is an object's centre) and predicts, at each, the distances
to the box's four sides. A saved fine-tuned detector is the same graph with its own class
layer (`graph.json`, `weights.safetensors` and a model.json naming the classes).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch
from PIL import Image
from torch.nn import functional as F

from fmstudio.core.catalog import ModelEntry
from fmstudio.core.detect.coco import COCO_CLASSES
from fmstudio.core.detect.graph import GraphNet
from fmstudio.core.detect.results import KEEP_SCORE, Box
from fmstudio.core.errors import ModelUnavailableError

STRIDE = 4
"""Input pixels per heat-map cell."""
TOP = 100
"""Peaks read per image: COCO photos hold fewer objects than this."""
NMS_IOU = 0.5
"""Boxes of one class overlapping more than this keep only the best (CenterNet's peaks
rarely need it; two peaks on one large object do)."""
GRAPH, WEIGHTS = "graph.json", "weights.safetensors"


def bundled_folder() -> Path:
    return Path(__file__).resolve().parent.parent.parent / "resources" / "centernet"


@dataclass
class Detector:
    """A CenterNet graph in eval mode, its class names and input size."""

    name: str
    net: GraphNet
    classes: list[str]
    input_size: int = 512
    device: str = "cpu"
    document: dict[str, Any] = field(default_factory=dict, repr=False)
    """The graph's description, saved again beside fine-tuned weights."""
    runtime: str = "PyTorch"
    runtime_reason: str = ""
    fast: Callable[[torch.Tensor], dict[str, torch.Tensor]] | None = field(default=None, repr=False)
    """The checked ONNX Runtime forward pass (`speed_up`), used for inference where set."""

    def letterbox(self, image: Image.Image) -> tuple[torch.Tensor, float]:
        """The image scaled to fit the input (aspect kept, top-left, zero padding) as
        [3, S, S] RGB floats 0-255, and the scale: stretching it turned a cat into a dog."""
        rgb = image.convert("RGB")
        scale = self.input_size / max(rgb.size)
        width, height = (max(1, round(v * scale)) for v in rgb.size)
        resized = rgb.resize((width, height), Image.Resampling.BILINEAR)
        pixels = torch.frombuffer(bytearray(resized.tobytes()), dtype=torch.uint8)
        canvas = torch.zeros(3, self.input_size, self.input_size)
        canvas[:, :height, :width] = pixels.view(height, width, 3).permute(2, 0, 1).float()
        return canvas, scale

    @torch.inference_mode()
    def detect(self, images: list[Image.Image]) -> list[list[Box]]:
        """Each image's boxes scoring at least KEEP_SCORE, best first, in its own pixels."""
        prepared = [self.letterbox(im) for im in images]
        batch = torch.stack([t for t, _ in prepared]).to(self.device)
        out = self.fast(batch) if self.fast is not None else self.net(batch)
        return [
            decode_output(out, i, self.classes, scale, images[i].size)
            for i, (_, scale) in enumerate(prepared)
        ]


def decode_output(
    out: dict[str, torch.Tensor],
    index: int,
    classes: list[str],
    scale: float,
    size: tuple[int, int],
) -> list[Box]:
    """The boxes of image `index` of a batch's outputs (the class logits made scores)."""
    heat = torch.sigmoid(out["heatmap_logits"][index].float().cpu())
    return decode(heat, out["sizes"][index].float().cpu(), classes, scale, size)


def _peaks(heat: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """The TOP best local maxima (3x3) of at least KEEP_SCORE: scores and flat indices. Only
    cells above KEEP_SCORE are compared with their neighbours (a 3x3 max-pool over all 80
    classes took 13 ms an image, a sixth of the model's time on 2 cores)."""
    found = (heat >= KEEP_SCORE).nonzero()
    k, y, x = found[:, 0], found[:, 1] + 1, found[:, 2] + 1
    padded = F.pad(heat, (1, 1, 1, 1))
    around = torch.stack(
        [padded[k, y + dy, x + dx] for dy in (-1, 0, 1) for dx in (-1, 0, 1)]
    ).amax(0)
    values = heat[k, found[:, 1], found[:, 2]]
    peak = values >= around
    flat = (k * heat.shape[1] + found[:, 1]) * heat.shape[2] + found[:, 2]
    scores, order = values[peak].topk(min(TOP, int(peak.sum())))
    return scores, flat[peak][order]


def decode(
    heat: torch.Tensor,
    sides: torch.Tensor,
    classes: list[str],
    scale: float,
    size: tuple[int, int],
) -> list[Box]:
    """Boxes from one image's heat-map [C, H, W] and side distances [4, H, W]: local maxima
    (3x3) are centres, the TOP best are read, overlapping boxes of a class merged (NMS)."""
    from torchvision.ops import batched_nms

    scores, flat = _peaks(heat)
    cells = heat.shape[1] * heat.shape[2]
    label, cell = flat // cells, flat % cells
    y, x = (cell // heat.shape[2]).float() * STRIDE, (cell % heat.shape[2]).float() * STRIDE
    left, top, right, bottom = sides.flatten(1)[:, cell]
    corners = torch.stack([x - left, y - top, x + right, y + bottom], 1) / scale
    corners[:, 0::2] = corners[:, 0::2].clamp(0, size[0])
    corners[:, 1::2] = corners[:, 1::2].clamp(0, size[1])
    kept = batched_nms(corners, scores, label, NMS_IOU)
    return [
        Box(classes[int(label[k])], float(scores[k]), _corners(corners[k].tolist())) for k in kept
    ]


def speed_up(detector: Detector) -> Detector:
    """Give `detector` its fastest checked path for inference (ONNX Runtime on the CPU);
    `runtime` says which, and why not a faster one. Training keeps the plain module."""
    from fmstudio.core.detect.runtime import onnx_detector
    from fmstudio.core.export import graphs

    if not isinstance(detector, Detector):  # a transformers detector runs as it is
        return detector
    if detector.device != "cpu":
        detector.runtime = f"PyTorch on {detector.device}"
        return detector
    reason = f"turned off by {graphs.RUNTIME_ENV}=torch"
    if graphs.fast_paths_wanted():
        try:
            detector.fast = onnx_detector(detector.net, detector.input_size)
            detector.runtime = "ONNX Runtime on CPU"
            return detector
        except graphs.GraphError as exc:
            reason = str(exc)
    detector.runtime, detector.runtime_reason = "PyTorch on CPU", f"not ONNX Runtime: {reason}"
    return detector


def _corners(values: list[float]) -> tuple[float, float, float, float]:
    x1, y1, x2, y2 = values
    return x1, y1, x2, y2


def load_folder(
    folder: Path, name: str, device: str = "cpu", classes: list[str] | None = None
) -> Detector:
    """A detector from a folder with graph.json, weights.safetensors and, unless it is the
    bundled COCO one, a model.json naming its classes (or `classes`: a run measuring the
    model it saved, before the card is written)."""
    from safetensors.torch import load_file

    try:
        document = json.loads((folder / GRAPH).read_text(encoding="utf-8"))
        state = load_file(str(folder / WEIGHTS))
    except (OSError, ValueError) as exc:
        raise ModelUnavailableError(
            f"{name}: cannot read the detector in {folder} ({exc})"
        ) from exc
    meta = folder / "model.json"
    if classes is None:
        classes = (
            list(json.loads(meta.read_text(encoding="utf-8"))["classes"])
            if meta.is_file()
            else list(COCO_CLASSES)
        )
    net = GraphNet(document, state).eval().to(device)
    return Detector(name, net, classes, int(document["input_size"]), device, document)


def load(entry: ModelEntry, device: str = "cpu") -> Any:
    """The modality table's loader: the bundled detector, a CenterNet folder (fine-tuned
    here), or a transformers detector (a folder with config.json, or a hub id)."""
    from fmstudio.core.detect.hub import load_hub_detector

    if entry.source == "bundled":
        return load_folder(bundled_folder(), entry.name, device)
    folder = Path(entry.location) if entry.location else None
    if folder is not None and (folder / GRAPH).is_file():
        return load_folder(folder, entry.name, device)
    return load_hub_detector(folder or entry.name, entry.name, device)
