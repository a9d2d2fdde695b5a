"""A small picture of an input that the window can show without decoding the file again."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Thumbnail:
    """Small RGB pixels (row-major, 3 bytes a pixel): Qt-free, so the core can make them."""

    width: int
    height: int
    rgb: bytes
