"""Decode image files safely: every format Pillow reads, EXIF orientation, any mode to RGB.

A bad file raises `InputFileError` naming the file and the reason; the caller turns it into
an error entry so the other files go on.
"""

from __future__ import annotations

import io
import warnings
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError

from fmstudio.core.data.files import check_input_file
from fmstudio.core.data.suffixes import IMAGE_SUFFIXES as IMAGE_SUFFIXES
from fmstudio.core.data.thumbnail import Thumbnail
from fmstudio.core.errors import InputFileError

MAX_PIXELS = 100_000_000
"""Above this an image is refused: a 100-megapixel RGB frame already needs 300 MB decoded."""


def _to_rgb(img: Image.Image) -> Image.Image:
    if img.mode == "RGB":
        return img
    if img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info):
        rgba = img.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    if img.mode == "I;16" or img.mode.startswith("I;16"):
        img = img.point(lambda v: v / 256).convert("L")
    return img.convert("RGB")


def check_pixels(path: Path, width: int, height: int) -> None:
    """Refuse an image over MAX_PIXELS, from its header's size, before it is decoded."""
    if width * height > MAX_PIXELS:
        raise InputFileError(
            path, f"image too large ({width}x{height} pixels; the limit is {MAX_PIXELS:,})"
        )


def load_image(path: str | Path, data: bytes | None = None) -> Image.Image:
    """Open an image as RGB with EXIF orientation applied (from `data` if already read).

    Always a full decode: Pillow's reduced-scale JPEG `draft` is 2-3x faster on large photos
    but changed the top-1 label of near-tie images in benchmarks/bench_image_classify.py.
    """
    path = Path(path)
    check_input_file(path, "an image")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data) if data is not None else path) as img:
                check_pixels(path, *img.size)
                img.seek(0)
                img.load()
                img = ImageOps.exif_transpose(img) or img
                return _to_rgb(img)
    except InputFileError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise InputFileError(path, f"image too large ({exc})") from exc
    except UnidentifiedImageError as exc:
        raise InputFileError(path, "not an image, or a format Pillow cannot read") from exc
    except PermissionError as exc:
        raise InputFileError(path, "permission denied") from exc
    except OSError as exc:
        raise InputFileError(path, f"corrupt or truncated image ({exc})") from exc
    except (ValueError, SyntaxError, EOFError) as exc:
        raise InputFileError(path, f"corrupt image ({exc})") from exc


def make_thumbnail(img: Image.Image, size: int) -> Thumbnail:
    small = img.copy()
    small.thumbnail((size, size), Image.Resampling.BILINEAR)
    small = small.convert("RGB")
    return Thumbnail(small.width, small.height, small.tobytes())


def read_example(path: Path, data: bytes) -> None:
    """Check that a class file is an image that decodes (the image task's `read_example`):
    images carry no text. Raises `InputFileError` with the reason."""
    load_image(path, data)
