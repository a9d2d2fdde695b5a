"""The audit job on a folder of real image files, with the bundled image model."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from PIL import Image, ImageEnhance

from fmstudio.core.events import Activity, run_to_end
from fmstudio.core.requests import Audit
from tests.cli.runner import fmstudio
from tests.datasets import skimage_photo

PHOTOS = {"cat": "chelsea.png", "coffee": "coffee.png", "textures": "brick.png"}


def _crops(photo: Path, n: int, first: int) -> list[Image.Image]:
    """Regions of a real photo that do not overlap: 112-px tiles from tile `first` on."""
    image = Image.open(photo).convert("RGB")
    across = image.width // 112
    tiles = [divmod(first + i, across) for i in range(n)]
    return [image.crop((c * 112, r * 112, c * 112 + 112, r * 112 + 112)) for r, c in tiles]


def _with_mistakes(root: Path) -> Path:
    """Tiles of three real photos in train/ and val/; a coffee tile filed as cat, and a val
    image that is a training one a little brighter (a leak, not byte-identical)."""
    for label, name in PHOTOS.items():
        for split, n, first in (("train", 9, 0), ("val", 3, 9)):
            folder = root / split / label
            folder.mkdir(parents=True, exist_ok=True)
            for i, crop in enumerate(_crops(skimage_photo(name), n, first)):
                crop.save(folder / f"{label}_{i}.png")
    shutil.move(root / "train" / "coffee" / "coffee_3.png", root / "train" / "cat" / "oops.png")
    leaked = Image.open(root / "train" / "textures" / "textures_5.png")
    ImageEnhance.Brightness(leaked).enhance(1.03).save(root / "val" / "textures" / "copy.png")
    return root


def test_the_audit_names_the_misfiled_image_and_the_leak_and_caches(tmp_path: Path) -> None:
    from fmstudio.core.audit.job import audit

    root = _with_mistakes(tmp_path / "photos")
    result = run_to_end(audit(Audit(str(root), "image")))
    found = result.to_json()
    top = found["suspects"][0]
    assert top["path"].endswith("oops.png") and (top["given"], top["suggested"]) == (
        "cat",
        "coffee",
    )
    leaks = [(Path(a).name, Path(b).name) for a, b, _ in found["leaks"]]
    assert leaks == [("textures_5.png", "copy.png")]
    events: list[object] = []
    again = run_to_end(audit(Audit(str(root), "image")), events.append)
    assert not any(isinstance(e, Activity) and e.message.startswith("Loading") for e in events)
    assert again.to_json()["suspects"][0] == top  # from the cached embeddings


def test_fmstudio_audit_prints_json_and_finds_the_task_itself(tmp_path: Path) -> None:
    root = _with_mistakes(tmp_path / "photos")
    run = fmstudio("audit", str(root), "--json")
    assert run.returncode == 0, run.stderr
    found = json.loads(run.stdout)
    assert set(found) == {"suspects", "duplicates", "leaks", "outliers"}
    assert found["suspects"][0]["path"].endswith("oops.png")
    plain = fmstudio("audit", str(root))
    assert "likely label errors" in plain.stdout and "leaks" in plain.stdout
    empty = tmp_path / "empty"
    empty.mkdir()
    refused = fmstudio("audit", str(empty))
    assert refused.returncode == 1 and "add --task" in refused.stderr
