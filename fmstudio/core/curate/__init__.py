"""Turning classified inputs into data: add them to a dataset folder, or sort them into folders.

Both only ever copy (or, when asked, move) the user's files; neither overwrites anything.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path


def folder_problem(folder: str) -> str | None:
    """Why a path typed as a folder to copy into cannot be one (a folder that does not exist
    yet is fine: it is made), or None."""
    if not folder.strip():
        return "choose a folder"
    path = Path(folder.strip()).expanduser()
    return f"{path} is a file, not a folder" if path.exists() and not path.is_dir() else None


def plural(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def format_counts(counts: Mapping[str, int]) -> str:
    """`cat: 12 · dog: 9`: class counts as every view and the CLI show them."""
    return " · ".join(f"{name}: {n}" for name, n in counts.items()) or "nothing"
