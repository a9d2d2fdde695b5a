"""Turn decoded images into normalised tensors, exactly as each model expects."""

from __future__ import annotations

import torch
from PIL import Image
from torchvision.transforms import InterpolationMode
from torchvision.transforms import functional as F

from fmstudio.core.image.models import Preprocess

INTERPOLATIONS = {
    "bicubic": InterpolationMode.BICUBIC,
    "bilinear": InterpolationMode.BILINEAR,
    "nearest": InterpolationMode.NEAREST,
    "lanczos": InterpolationMode.LANCZOS,
}


def _crop_box(width: int, height: int, pre: Preprocess) -> tuple[float, float, float, float]:
    """The part of the image that survives torchvision's resize-then-center-crop, in its pixels."""
    short, long = min(width, height), max(width, height)
    new_long = int(pre.resize * long / short)
    new_w, new_h = (pre.resize, new_long) if width <= height else (new_long, pre.resize)
    top = round((new_h - pre.crop) / 2.0)
    left = round((new_w - pre.crop) / 2.0)
    sx, sy = width / new_w, height / new_h
    return left * sx, top * sy, (left + pre.crop) * sx, (top + pre.crop) * sy


def to_tensor(img: Image.Image, pre: Preprocess) -> torch.Tensor:
    """Resize the short side, center-crop, scale to [0, 1] and normalise: a CHW float tensor.

    Only the cropped part is resampled (Pillow's `box`), with the same filter centres and
    support as resizing the whole image and cropping after: 1.7x faster, pixels within a few
    grey levels of torchvision's resize + center_crop (rounding of the filter weights).
    """
    mode = interpolation(pre.interpolation)
    if pre.resize < pre.crop:  # the crop would pad: keep torchvision's exact behaviour
        img = F.center_crop(F.resize(img, pre.resize, interpolation=mode), [pre.crop] * 2)
    else:
        resample = F.pil_modes_mapping[mode]
        img = img.resize((pre.crop, pre.crop), resample, box=_crop_box(*img.size, pre))
    tensor = F.pil_to_tensor(img).float().div_(255)
    normalised: torch.Tensor = F.normalize(tensor, list(pre.mean), list(pre.std))
    return normalised


def interpolation(name: str) -> InterpolationMode:
    """torchvision's mode for a preprocessing's interpolation name (bicubic if unknown)."""
    return INTERPOLATIONS.get(name, InterpolationMode.BICUBIC)
