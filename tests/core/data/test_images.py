"""Decoding: every supported format, orientation, colour modes and bad files."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image

from fmstudio.core.data.files import expand_paths
from fmstudio.core.data.images import (
    IMAGE_SUFFIXES,
    load_image,
    make_thumbnail,
)
from fmstudio.core.errors import InputFileError


def _gradient(size: tuple[int, int] = (64, 48)) -> Image.Image:
    img = Image.new("RGB", size)
    img.putdata([(x * 4 % 256, y * 5 % 256, 128) for y in range(size[1]) for x in range(size[0])])
    return img


@pytest.mark.parametrize(
    ("suffix", "fmt"),
    [
        (".jpg", "JPEG"),
        (".png", "PNG"),
        (".bmp", "BMP"),
        (".gif", "GIF"),
        (".webp", "WEBP"),
        (".tiff", "TIFF"),
    ],
)
def test_each_format_decodes_to_rgb(tmp_path: Path, suffix: str, fmt: str) -> None:
    path = tmp_path / f"img{suffix}"
    _gradient().save(path, fmt)
    img = load_image(path)
    assert img.mode == "RGB" and img.size == (64, 48)


def test_animated_gif_gives_first_frame(tmp_path: Path) -> None:
    frames = [Image.new("RGB", (20, 20), c) for c in ((255, 0, 0), (0, 0, 255))]
    path = tmp_path / "anim.gif"
    frames[0].save(path, save_all=True, append_images=frames[1:], duration=100, loop=0)
    r, _g, b = load_image(path).getpixel((10, 10))
    assert r > 200 and b < 50


def test_exif_orientation_is_applied(tmp_path: Path) -> None:
    img = _gradient((80, 40))
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90 degrees clockwise when shown
    path = tmp_path / "rotated.jpg"
    img.save(path, exif=exif.tobytes())
    assert load_image(path).size == (40, 80)


@pytest.mark.parametrize("mode", ["L", "CMYK", "RGBA", "LA", "P", "I;16", "1"])
def test_colour_modes_become_rgb(tmp_path: Path, mode: str) -> None:
    img = _gradient().convert(mode) if mode != "I;16" else Image.new("I;16", (64, 48), 40000)
    fmt = "TIFF" if mode in ("CMYK", "I;16") else "PNG"
    path = tmp_path / f"m.{fmt.lower()}"
    img.save(path, fmt)
    out = load_image(path)
    assert out.mode == "RGB" and out.size == (64, 48)


def test_transparent_pixels_composite_on_white(tmp_path: Path) -> None:
    path = tmp_path / "alpha.png"
    Image.new("RGBA", (8, 8), (0, 0, 0, 0)).save(path)
    assert load_image(path).getpixel((4, 4)) == (255, 255, 255)


def _jpeg_bytes() -> bytes:
    buf = io.BytesIO()
    _gradient((256, 256)).save(buf, "JPEG")
    return buf.getvalue()


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("empty.jpg", b"", "empty file"),
        ("text.jpg", b"this is not an image at all\n", "not an image"),
        ("truncated.jpg", _jpeg_bytes()[:600], "truncated"),
    ],
)
def test_bad_files_raise_input_error_naming_the_file(
    tmp_path: Path, name: str, content: bytes, reason: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(InputFileError) as info:
        load_image(path)
    assert reason in info.value.reason
    assert name in str(info.value)


def test_missing_file_and_broken_link(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match="file not found"):
        load_image(tmp_path / "nope.png")
    link = tmp_path / "dangling.png"
    link.symlink_to(tmp_path / "gone.png")
    with pytest.raises(InputFileError, match="file not found"):
        load_image(link)


def test_decompression_bomb_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "huge.png"
    Image.new("1", (12_000, 12_000)).save(path)  # 144 megapixels, a few hundred KB on disk
    with pytest.raises(InputFileError, match="too large"):
        load_image(path)


def test_expand_paths_recurses_and_keeps_missing(tmp_path: Path) -> None:
    (tmp_path / "a" / "b").mkdir(parents=True)
    for rel in ("a/1.jpg", "a/b/2.PNG", "a/b/notes.txt", "a/.hidden.jpg"):
        (tmp_path / rel).write_bytes(b"x")
    found = list(expand_paths([tmp_path / "a", tmp_path / "missing.jpg"], IMAGE_SUFFIXES))
    assert [p.relative_to(tmp_path).as_posix() for p in found] == [
        "a/1.jpg",
        "a/b/2.PNG",
        "missing.jpg",
    ]


def test_thumbnail_fits_the_box() -> None:
    thumb = make_thumbnail(_gradient((300, 100)), 64)
    assert (thumb.width, thumb.height) == (64, 21)
    assert len(thumb.rgb) == 64 * 21 * 3


def test_folders_with_nothing_usable_and_link_loops_are_reported(tmp_path: Path) -> None:
    """They are error entries with a reason, never silently left out."""
    from fmstudio.core.data.files import expand_paths
    from fmstudio.core.data.suffixes import IMAGE_SUFFIXES
    from fmstudio.core.events import run_to_end
    from fmstudio.core.image.classify import classify_images
    from fmstudio.core.image.requests import ClassifyImages

    odd = tmp_path / "x.jpg"  # a folder named like an image
    odd.mkdir()
    (odd / "notes.txt").write_text("no pictures here")
    looped = tmp_path / "album"
    looped.mkdir()
    _gradient((40, 30)).save(looped / "a.png")
    (looped / "again").symlink_to(looped, target_is_directory=True)
    found = list(expand_paths([odd, looped], IMAGE_SUFFIXES))
    assert found == [odd, looped / "a.png", looped / "again"]
    results = run_to_end(classify_images(ClassifyImages(tuple(map(str, [odd, looped])))))
    reasons = {Path(r.path).name: r.error for r in results}
    assert "no usable files" in reasons["x.jpg"]
    assert "loops back" in reasons["again"]
    assert reasons["a.png"] is None
