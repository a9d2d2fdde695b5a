"""Detector fine-tuning: CenterNet as a `Finetuner`, and the objective that trains it.

Each image is read once, letterboxed to the model's input (uint8, as the try-it job feeds it)
with its boxes in input pixels. The class layer is rebuilt for the dataset's classes; a class
the base model already knows (a COCO name) starts from what it learnt. The objective is
CenterNet's: a focal loss on Gaussian peaks at the boxes' centres, and a GIoU loss on the box
the model predicts at each centre. Validation decodes boxes as the Detect tab does and scores
mAP@0.5:0.95 with pycocotools, which picks the epoch.
"""

from __future__ import annotations

import math
import random
from collections.abc import Generator, Iterable, Sequence
from pathlib import Path
from typing import Any

import torch
from torch import nn
from torch.nn import functional as F
from torch.utils.data import Dataset

from fmstudio.core import catalog
from fmstudio.core.data.images import load_image
from fmstudio.core.detect.formats import Labelled
from fmstudio.core.detect.metrics import score
from fmstudio.core.detect.models import GRAPH, STRIDE, WEIGHTS, Detector, decode_output, load
from fmstudio.core.detect.results import MIN_SCORE, Box
from fmstudio.core.detect.scan import BoxExample
from fmstudio.core.errors import FmError
from fmstudio.core.events import CancelToken, EtaTracker, Event
from fmstudio.core.modalities import DETECT
from fmstudio.core.train.objectives import Decider, Validation

MAP = Decider("map", higher_is_better=True)
"""mAP@0.5:0.95 on the validation images, not the loss, picks a detector's best epoch."""
NEW_CLASS_PRIOR = 0.01
"""A new class's score before training (its bias): few cells hold an object's centre."""
SIZE_WEIGHT = 2.0
"""The GIoU loss's weight beside the focal loss (each about 1 early in training)."""

Example = tuple[torch.Tensor, torch.Tensor, int]
"""The letterboxed image (uint8 [3, S, S]), its boxes ([n, 5]: class, x1, y1, x2, y2, in
input pixels) and how wide the picture is inside the input (the rest is padding)."""


def reheaded(detector: Detector, classes: list[str]) -> None:
    """Give the detector a class layer for `classes`; a class it knows keeps its weights."""
    node = detector.net.conv(detector.document["class_conv"])
    conv = node.conv
    layer = nn.Conv2d(conv.in_channels, len(classes), 1)
    assert layer.bias is not None and conv.bias is not None  # the class layer has biases
    with torch.no_grad():
        layer.weight.normal_(0.0, 0.01)
        layer.bias.fill_(-math.log((1 - NEW_CLASS_PRIOR) / NEW_CLASS_PRIOR))
        for row, name in enumerate(classes):
            if name in detector.classes:
                known = detector.classes.index(name)
                layer.weight[row] = conv.weight[known]
                layer.bias[row] = conv.bias[known]
    node.conv = layer.to(conv.weight.device)
    detector.classes = list(classes)


ZOOM_OUT = 0.6
"""An augmented picture is shrunk to between this share of its size and all of it (objects
smaller than the data holds); never enlarged, which would cut boxes."""
BRIGHTNESS = SATURATION = 0.25
"""Colour changes of up to this share either way (the zero padding stays zero)."""


class BoxImages(Dataset):
    """Examples; when training with augmentation, each is drawn with a random flip, zoom-out
    and colour change, its boxes following the picture."""

    def __init__(self, examples: Sequence[Example], augment: bool) -> None:
        self.examples, self.augment = list(examples), augment

    def __len__(self) -> int:
        return len(self.examples)

    def __getitem__(self, index: int) -> Example:
        example = self.examples[index]
        if not self.augment:
            return example
        if random.random() < 0.5:
            example = flipped(*example)
        example = zoomed_out(*example, random.uniform(ZOOM_OUT, 1.0))
        return recoloured(example[0]), example[1], example[2]


def flipped(image: torch.Tensor, boxes: torch.Tensor, width: int) -> Example:
    """The picture (the left `width` columns of the letterbox) and its boxes mirrored."""
    out = image.clone()
    out[:, :, :width] = image[:, :, :width].flip(-1)
    mirrored = boxes.clone()
    mirrored[:, 1], mirrored[:, 3] = width - boxes[:, 3], width - boxes[:, 1]
    return out, mirrored, width


def zoomed_out(image: torch.Tensor, boxes: torch.Tensor, width: int, factor: float) -> Example:
    """The letterbox shrunk by `factor` into its top left corner (the picture sits there and
    its padding is zero, so the result is again a letterbox), the boxes scaled with it."""
    side = image.shape[-1]
    small = max(1, round(side * factor))
    if small == side:
        return image, boxes, width
    shrunk = F.interpolate(
        image[None].float(), size=(small, small), mode="bilinear", antialias=True
    )[0]
    out = torch.zeros_like(image)
    out[:, :small, :small] = shrunk.round().clamp(0, 255).to(image.dtype)
    scaled = boxes.clone()
    scaled[:, 1:] *= small / side
    return out, scaled, max(1, round(width * small / side))


def recoloured(image: torch.Tensor) -> torch.Tensor:
    """Brightness and saturation changed at random: both scale, so black padding stays black."""
    from torchvision.transforms.v2 import functional as TF

    bright = random.uniform(1 - BRIGHTNESS, 1 + BRIGHTNESS)
    saturated = random.uniform(1 - SATURATION, 1 + SATURATION)
    out: torch.Tensor = TF.adjust_saturation(TF.adjust_brightness(image, bright), saturated)
    return out


class DetectFinetuner:
    """A CenterNet trained end to end on images with boxes."""

    def __init__(self, base: str, classes: list[str], device: str, mode: str = "full") -> None:
        self.base, self.classes, self.device = base, list(classes), device
        self.model: Any
        self.detector: Detector

    def load(self) -> None:
        detector = load(catalog.resolve(self.base, DETECT.task), "cpu")
        if not isinstance(detector, Detector):
            raise FmError(
                f"{self.base} is a transformers detector: fmstudio fine-tunes CenterNet "
                "detectors (centernet-coco, or one trained here) for now"
            )
        self.detector = detector
        reheaded(self.detector, self.classes)
        self.model = self.detector.net.to(self.device)

    def prepare(
        self, samples: Sequence[BoxExample], cancel: CancelToken, what: str
    ) -> Generator[Event, None, list[Example]]:
        """Each image letterboxed once, its boxes scaled with it."""
        examples: list[Example] = []
        tracker = EtaTracker(len(samples))
        for sample in samples:
            cancel.raise_if_cancelled()
            tensor, scale = self.detector.letterbox(load_image(sample.path))
            rows = [
                [self.classes.index(b.label), *(v * scale for v in b.box)] for b in sample.boxes
            ]
            boxes = torch.tensor(rows, dtype=torch.float32).reshape(-1, 5)
            width = max(1, round(sample.size[0] * scale))
            examples.append((tensor.to(torch.uint8), boxes, width))
            yield tracker.progress(len(examples), f"reading {what} images")
        return examples

    def dataset(self, inputs: Sequence[Example], targets: Sequence[int], train: bool) -> Dataset:
        return BoxImages(inputs, augment=train)

    def collate(self, items: list[Example]) -> tuple[torch.Tensor, torch.Tensor]:
        """Images as floats; boxes padded to the batch's most with class -1."""
        most = max(1, max(len(boxes) for _, boxes, _ in items))
        targets = torch.full((len(items), most, 5), -1.0)
        for row, (_, boxes, _) in enumerate(items):
            targets[row, : len(boxes)] = boxes
        return torch.stack([image for image, _, _ in items]).float(), targets

    def objective(self) -> CenterNetObjective:
        return CenterNetObjective(self.classes, self.detector.input_size)

    def save(self, folder: Path) -> None:
        """The same graph with this run's weights (and class layer): `models.load_folder`
        reads it back; the card beside it (model.json) names the classes."""
        import json

        from safetensors.torch import save_file

        self.model.cpu().eval()
        (folder / GRAPH).write_text(json.dumps(self.detector.document) + "\n", encoding="utf-8")
        state = {k: v.contiguous() for k, v in self.model.exported_state().items()}
        save_file(state, str(folder / WEIGHTS))


def gaussian_radius(height: float, width: float, overlap: float = 0.7) -> float:
    """How far a centre may move while a box of this size still overlaps its own by
    `overlap` (CornerNet's bound: the smallest root of its three cases)."""
    roots = []
    for a, b, c in (
        (1.0, height + width, width * height * (1 - overlap) / (1 + overlap)),
        (4.0, 2 * (height + width), (1 - overlap) * width * height),
        (4 * overlap, -2 * overlap * (height + width), (overlap - 1) * width * height),
    ):
        roots.append((b + math.sqrt(max(b * b - 4 * a * c, 0.0))) / 2)
    return min(roots)


def centre_cell(
    x1: float, y1: float, x2: float, y2: float, size: tuple[int, int]
) -> tuple[int, int]:
    """The heat-map cell (x, y) that holds a box's centre."""
    cx, cy = int((x1 + x2) / 2 / STRIDE), int((y1 + y2) / 2 / STRIDE)
    return min(max(cx, 0), size[1] - 1), min(max(cy, 0), size[0] - 1)


def heat_targets(boxes: torch.Tensor, classes: int, size: tuple[int, int]) -> torch.Tensor:
    """[B, classes, H, W]: a Gaussian peak of 1 at each box's centre cell."""
    heat = torch.zeros(len(boxes), classes, *size, device=boxes.device)
    ys = torch.arange(size[0], device=boxes.device, dtype=torch.float32)[:, None]
    xs = torch.arange(size[1], device=boxes.device, dtype=torch.float32)[None, :]
    for image, rows in enumerate(boxes):
        for k, x1, y1, x2, y2 in rows[rows[:, 0] >= 0].tolist():
            cx, cy = centre_cell(x1, y1, x2, y2, size)
            radius = max(0, int(gaussian_radius((y2 - y1) / STRIDE, (x2 - x1) / STRIDE)))
            sigma = (2 * radius + 1) / 6
            peak = torch.exp(-((xs - cx) ** 2 + (ys - cy) ** 2) / (2 * sigma * sigma))
            plane = heat[image, int(k)]
            torch.maximum(plane, peak, out=plane)
    return heat


def focal_loss(logits: torch.Tensor, heat: torch.Tensor) -> torch.Tensor:
    """CenterNet's focal loss: centres pulled to 1, the rest to 0 less near a centre."""
    centre = heat.eq(1).float()
    log_p, log_not_p = F.logsigmoid(logits), F.logsigmoid(-logits)
    p = log_p.exp()
    pos = (log_p * (1 - p) ** 2 * centre).sum()
    neg = (log_not_p * p**2 * (1 - heat) ** 4 * (1 - centre)).sum()
    return -(pos + neg) / centre.sum().clamp(min=1)


def centre_boxes(sides: torch.Tensor, boxes: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """The boxes the model predicts at each true box's centre cell, and the true boxes."""
    predicted, truth = [], []
    size = (sides.shape[2], sides.shape[3])
    for image, rows in enumerate(boxes):
        for _, x1, y1, x2, y2 in rows[rows[:, 0] >= 0].tolist():
            cx, cy = centre_cell(x1, y1, x2, y2, size)
            left, top, right, bottom = sides[image, :, cy, cx]
            x, y = cx * STRIDE, cy * STRIDE
            predicted.append(torch.stack([x - left, y - top, x + right, y + bottom]))
            truth.append(torch.tensor([x1, y1, x2, y2], device=sides.device))
    if not predicted:
        return sides.new_zeros(0, 4), sides.new_zeros(0, 4)
    return torch.stack(predicted), torch.stack(truth)


class CenterNetObjective:
    def __init__(self, classes: list[str], input_size: int) -> None:
        self.classes, self.input_size = classes, input_size

    def _losses(
        self, model: nn.Module, images: torch.Tensor, boxes: torch.Tensor
    ) -> tuple[torch.Tensor, dict[str, torch.Tensor], torch.Tensor]:
        from torchvision.ops import generalized_box_iou_loss

        out = model(images)
        logits, sides = out["heatmap_logits"].float(), out["sizes"].float()
        heat = heat_targets(boxes, logits.shape[1], (logits.shape[2], logits.shape[3]))
        predicted, truth = centre_boxes(sides, boxes)
        size_loss = (
            generalized_box_iou_loss(predicted, truth, reduction="mean")
            if len(truth)
            else sides.sum() * 0
        )
        return focal_loss(logits, heat) + SIZE_WEIGHT * size_loss, out, heat

    def loss(
        self, model: nn.Module, inputs: Any, targets: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor]:
        loss, out, heat = self._losses(model, inputs, targets)
        return loss, _found_share(out["heatmap_logits"], heat)

    @torch.no_grad()
    def validate(
        self, model: nn.Module, batches: Iterable[tuple[Any, torch.Tensor]], cancel: CancelToken
    ) -> Validation:
        loss_sum, n = 0.0, 0
        truth: list[Labelled] = []
        found: list[list[Box]] = []
        square = (self.input_size, self.input_size)
        for images, boxes in batches:
            cancel.raise_if_cancelled()
            loss, out, _ = self._losses(model, images, boxes)
            loss_sum += float(loss) * len(images)
            n += len(images)
            for i, rows in enumerate(boxes.cpu()):
                kept = rows[rows[:, 0] >= 0].tolist()
                labelled = tuple(
                    Box(self.classes[int(k)], 1.0, (x1, y1, x2, y2)) for k, x1, y1, x2, y2 in kept
                )
                truth.append(Labelled(str(len(truth)), labelled, square))
                found.append(decode_output(out, i, self.classes, 1.0, square))
        if not n:
            return Validation(0.0, 0.0)
        evidence = (truth, found, self.classes)
        recall, metrics = rescored([evidence])
        return Validation(
            loss_sum / n,
            recall,
            metrics=metrics,
            weights={"map": float(n), "map_50": float(n)},
            decides=MAP,
            evidence=evidence,
            rescore=rescored,
        )


Evidence = tuple[list[Labelled], list[list[Box]], list[str]]


def rescored(shares: list[Evidence]) -> tuple[float, dict[str, float]]:
    """Recall and mAP over the true and found boxes of every share together (under torchrun
    each process validates a share; a mean of the shares' mAPs is not the set's mAP)."""
    truth = [im for t, _, _ in shares for im in t]
    found = [boxes for _, f, _ in shares for boxes in f]
    scores = score(truth, found, shares[0][2], MIN_SCORE)
    return scores.recall, {"map": scores.map, "map_50": scores.map_50}


def _found_share(logits: torch.Tensor, heat: torch.Tensor) -> torch.Tensor:
    """The sum over images of each one's share of centres scored at least MIN_SCORE."""
    centre = heat.eq(1)
    hit = (torch.sigmoid(logits.detach().float()) >= MIN_SCORE) & centre
    per_image = hit.flatten(1).sum(1).float() / centre.flatten(1).sum(1).clamp(min=1)
    return per_image.sum()
