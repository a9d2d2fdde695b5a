"""The audit job on a folder of real image files, with the bundled image model."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from fmstudio.core.events import Activity, run_to_end
from fmstudio.core.requests import Audit
from tests.cli.runner import fmstudio
from tests.datasets import photo_tiles_with_mistakes


def test_the_audit_names_the_misfiled_image_and_the_leak_and_caches(tmp_path: Path) -> None:
    from fmstudio.core.audit.job import audit

    root = photo_tiles_with_mistakes(tmp_path / "photos")
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
    root = photo_tiles_with_mistakes(tmp_path / "photos")
    run = fmstudio("audit", str(root), "--json")
    assert run.returncode == 0, run.stderr
    found = json.loads(run.stdout)
    assert set(found) == {"suspects", "duplicates", "leaks", "outliers", "overlaps"}
    assert found["suspects"][0]["path"].endswith("oops.png")
    plain = fmstudio("audit", str(root), "--map", str(tmp_path / "map.csv"))
    assert "likely label errors" in plain.stdout and "leaks" in plain.stdout
    with (tmp_path / "map.csv").open(encoding="utf-8") as f:
        mapped = list(csv.DictReader(f))
    assert len(mapped) == 37 and {r["label"] for r in mapped} == {"cat", "coffee", "textures"}
    assert all(0 <= float(r["x"]) <= 1 and 0 <= float(r["y"]) <= 1 for r in mapped)
    empty = tmp_path / "empty"
    empty.mkdir()
    refused = fmstudio("audit", str(empty))
    assert refused.returncode == 1 and "add --task" in refused.stderr
