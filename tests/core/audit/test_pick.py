"""What to label next: the least sure files, spread over groups of look-alikes."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

from fmstudio.core.audit.pick import choose_to_label, margin, spread_least_sure
from fmstudio.core.classify.results import ItemResult, Prediction
from fmstudio.core.classify.review import ReviewQueue
from fmstudio.core.events import run_to_end
from tests.datasets import skimage_photo


def test_each_group_gives_its_least_sure_member_not_only_the_most_confused_group() -> None:
    rng = np.random.default_rng(0)
    centres = np.eye(3) * 10
    embeddings = np.concatenate([c + rng.normal(size=(20, 3)) for c in centres])
    margins = rng.uniform(0.5, 1.0, size=60)
    margins[:20] = rng.uniform(0.0, 0.1, size=20)  # the first group is where the model is lost
    picked = spread_least_sure(margins, embeddings, 3)
    assert sorted(i // 20 for i in picked) == [0, 1, 2]
    assert picked == sorted(picked, key=lambda i: margins[i])  # least sure first
    for i in picked:
        group = range(i // 20 * 20, i // 20 * 20 + 20)
        assert margins[i] == min(margins[j] for j in group)


def _result(path: Path, first: float) -> ItemResult:
    return ItemResult(str(path), (Prediction("a", first), Prediction("b", 1 - first)))


def test_the_pick_embeds_real_photos_and_skips_failed_and_vanished_files(tmp_path: Path) -> None:
    """Crops of two real photos; the model is least sure of cat crops, yet the pick of two
    takes one of each photo, and never a failed or deleted file."""
    results = []
    for name, sureness in (("chelsea.png", 0.5), ("coffee.png", 0.9)):
        photo = Image.open(skimage_photo(name)).convert("RGB")
        for i in range(4):
            path = tmp_path / f"{Path(name).stem}_{i}.png"
            photo.crop((i * 60, 0, i * 60 + 224, 224)).save(path)
            results.append(_result(path, sureness + i / 100))
    gone = tmp_path / "gone.png"
    results += [ItemResult(str(tmp_path / "bad.png"), error="not an image"), _result(gone, 0.5)]
    order = run_to_end(choose_to_label(results, "image", 2))
    assert sorted(results[i].path.split("/")[-1].split("_")[0] for i in order) == [
        "chelsea",
        "coffee",
    ]
    assert margin(results[order[0]]) <= margin(results[order[1]])
    assert ReviewQueue(results, order=order).order == order


def test_asking_for_more_than_there_is_gives_everything_least_sure_first(tmp_path: Path) -> None:
    path = tmp_path / "one.png"
    Image.new("RGB", (8, 8)).save(path)
    results = [_result(path, 0.9), _result(path, 0.6)]
    assert run_to_end(choose_to_label(results, "image", 5)) == [1, 0]
