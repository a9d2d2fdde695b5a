"""A retrained detector beside the one it grew from, on the same held-out images."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import pytest
import torch
from safetensors.torch import load_file, save_file

from fmstudio.core.detect.compare import compare_detectors, mistakes_by_image
from fmstudio.core.detect.evaluate import evaluate_detector
from fmstudio.core.detect.models import WEIGHTS, bundled_folder
from fmstudio.core.detect.scan import scan_boxes
from fmstudio.core.events import run_to_end
from fmstudio.core.requests import Compare, Evaluate
from tests.datasets import make_photo_boxes


def _shaken(folder: Path) -> Path:
    """The bundled detector with noise in its weights: a worse model of the same classes."""
    shutil.copytree(bundled_folder(), folder)
    generator = torch.Generator().manual_seed(0)
    state = {
        k: v + 0.2 * v.float().std() * torch.randn(v.shape, generator=generator).to(v.dtype)
        if v.is_floating_point() and v.numel() > 1 else v
        for k, v in load_file(str(folder / WEIGHTS)).items()
    }  # fmt: skip
    save_file(state, str(folder / WEIGHTS))
    return folder


def test_two_detectors_are_measured_on_the_same_held_out_images(tmp_path: Path) -> None:
    data = make_photo_boxes(tmp_path / "photos")
    scanned = scan_boxes(data)
    report = replace(scanned, train=[], val=scanned.images)  # every photo held out
    shaken = str(_shaken(tmp_path / "shaken"))
    compared = run_to_end(
        compare_detectors(Compare("detect", "centernet-coco", shaken), report=report)
    )
    for measured, model in ((compared.previous, "centernet-coco"), (compared.current, shaken)):
        alone = run_to_end(evaluate_detector(Evaluate("detect", model, str(data)), report=report))
        assert measured.scores.map == pytest.approx(alone.scores.map)
    assert compared.current.scores.images == len(report.val) == 5
    assert compared.current.scores.map < compared.previous.scores.map  # the noise hurt
    name, old, new, change = compared.figures()[0]
    assert (name, old, new) == (
        "mAP",
        f"{compared.previous.scores.map:.3f}",
        f"{compared.current.scores.map:.3f}",
    )
    assert change.startswith("-")
    before, after = mistakes_by_image(compared.previous), mistakes_by_image(compared.current)
    errors = {p: (before[p].missed + before[p].false, after[p].missed + after[p].false)
              for p in after}  # fmt: skip
    assert {c.path for c in compared.changed} == {p for p, (b, a) in errors.items() if b != a}
    assert compared.changed and not all(c.better for c in compared.changed)
    assert "same 5 held-out images as centernet-coco" in compared.summary()
    rows = compared.change_rows()
    assert [cells[0] for cells, _, _ in rows] == [
        str(Path(c.path).relative_to(data)) for c in compared.changed
    ]
