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


def to_tensor(img: Image.Image, pre: Preprocess) -> torch.Tensor:
    """Resize the short side, center-crop, scale to [0, 1] and normalise: a CHW float tensor."""
    img = F.resize(
        img,
        pre.resize,
        interpolation=INTERPOLATIONS.get(pre.interpolation, InterpolationMode.BICUBIC),
    )
    img = F.center_crop(img, [pre.crop, pre.crop])
    tensor = F.pil_to_tensor(img).float().div_(255)
    normalised: torch.Tensor = F.normalize(tensor, list(pre.mean), list(pre.std))
    return normalised
