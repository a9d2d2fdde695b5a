"""JPEGs decoded and preprocessed on the GPU: nvJPEG decodes a batch of photos in a few
milliseconds where one CPU process decodes tens a second (issue 31: the GPU idled at 74
images/s while Pillow decoded 1600x1200 photos).

The host reads each file and its header only (Pillow's lazy open: size, mode, EXIF
orientation; no pixels), so the checks that `load_image` makes still name a bad file. The
GPU decodes the batch, turns each photo upright, resizes its short side with antialiasing,
rounds to whole grey levels as Pillow does, crops the centre and normalises. A file that
the header check or nvJPEG cannot take (CMYK, a decoder error) is decoded by Pillow instead,
so a batch never fails for one photo.
"""

from __future__ import annotations

import io
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import torch
from PIL import Image, UnidentifiedImageError
from torchvision.transforms import functional as F

from fmstudio.core.data.files import check_input_file
from fmstudio.core.data.images import check_pixels
from fmstudio.core.data.thumbnail import Thumbnail
from fmstudio.core.image.models import Preprocess
from fmstudio.core.image.transforms import interpolation

JPEG_SUFFIXES = frozenset({".jpg", ".jpeg", ".jpe", ".jfif"})
DEVICE_MODES = frozenset({"RGB", "L"})
"""Pillow's modes of the JPEGs nvJPEG decodes to RGB as Pillow does (not CMYK or YCCK)."""
ORIENTATION_TAG = 0x0112


@dataclass(frozen=True)
class EncodedJpeg:
    """A JPEG's bytes, read and checked on the host, ready to decode on a GPU."""

    path: Path
    data: torch.Tensor
    orientation: int


def decodes_on_device(device: str) -> bool:
    """Whether photos decode on `device` (CUDA with torchvision's nvJPEG)."""
    return device.startswith("cuda") and torch.cuda.is_available()


def read_jpeg(path: Path) -> EncodedJpeg | None:
    """The file's bytes and EXIF orientation if the GPU can decode it, None if Pillow should
    (not a JPEG by name or content, or a colour mode nvJPEG would change); InputFileError
    where `load_image` would refuse it (missing, empty, too large, unreadable)."""
    if path.suffix.lower() not in JPEG_SUFFIXES:
        return None
    check_input_file(path, "an image")
    data = path.read_bytes()
    try:
        with Image.open(io.BytesIO(data)) as img:
            size = img.size
            if img.format != "JPEG" or img.mode not in DEVICE_MODES:
                return None
            orientation = int(img.getexif().get(ORIENTATION_TAG, 1))
    except (UnidentifiedImageError, OSError, ValueError):
        return None  # Pillow's full decode names the reason
    check_pixels(path, *size)
    return EncodedJpeg(path, torch.frombuffer(bytearray(data), dtype=torch.uint8), orientation)


def decode_batch(jpegs: Sequence[EncodedJpeg], device: str) -> list[torch.Tensor] | None:
    """Each JPEG as an upright RGB uint8 CHW tensor on `device`, or None if the decoder
    refused the batch (its files then go to Pillow)."""
    from torchvision.io import ImageReadMode, decode_jpeg

    with warnings.catch_warnings():
        # torchvision 0.29 points to TorchCodec for decoding; its nvJPEG path still works.
        warnings.simplefilter("ignore", (DeprecationWarning, UserWarning))
        try:
            decoded = decode_jpeg(
                [j.data for j in jpegs], mode=ImageReadMode.RGB, device=torch.device(device)
            )
        except RuntimeError:
            return None
    return [upright(img, j.orientation) for img, j in zip(decoded, jpegs, strict=True)]


def upright(img: torch.Tensor, orientation: int) -> torch.Tensor:
    """The image as EXIF `orientation` says it is seen (Pillow's `exif_transpose`)."""
    if orientation in (2, 4, 5, 7):  # mirrored
        img = img.flip(-1)
    turns = {3: 2, 4: 2, 5: 1, 6: 3, 7: 3, 8: 1}.get(orientation, 0)
    return torch.rot90(img, turns, dims=(-2, -1)) if turns else img


def preprocess(img: torch.Tensor, pre: Preprocess) -> torch.Tensor:
    """Resize the short side to `pre.resize`, crop the centre, normalise: what `to_tensor`
    does with Pillow, done where the image is."""
    mode = interpolation(pre.interpolation)
    resized = F.resize(img.float(), pre.resize, interpolation=mode, antialias=True)
    cropped = F.center_crop(resized.round_().clamp_(0, 255), [pre.crop, pre.crop])
    normalised: torch.Tensor = F.normalize(cropped.div_(255), list(pre.mean), list(pre.std))
    return normalised


def thumbnail(img: torch.Tensor, size: int) -> Thumbnail:
    """An RGB thumbnail that fits in `size` pixels, as `make_thumbnail` makes from Pillow."""
    height, width = img.shape[-2:]
    scale = min(1.0, size / max(height, width))
    shape = [max(1, round(height * scale)), max(1, round(width * scale))]
    small = F.resize(img.float(), shape, antialias=True).round_().clamp_(0, 255).byte()
    pixels = small.permute(1, 2, 0).contiguous().cpu()
    return Thumbnail(pixels.shape[1], pixels.shape[0], pixels.numpy().tobytes())
