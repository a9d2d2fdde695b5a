"""The ladder: each step from zero-shot to training, measured on the same held-out texts."""

from __future__ import annotations

from pathlib import Path

from fmstudio.core import paths
from fmstudio.core.audit.ladder import Rung, ladder
from fmstudio.core.events import Partial, run_to_end
from fmstudio.core.requests import Ladder


def test_zero_shot_probe_and_head_each_report_as_they_finish_and_leave_no_model(
    text_folder: Path,
) -> None:
    events: list[object] = []
    rungs = run_to_end(ladder(Ladder(str(text_folder), "text", modes=("head",))), events.append)
    assert [r.name for r in rungs] == ["zero-shot", "probe", "head"]
    shown = [e.items[0] for e in events if isinstance(e, Partial)]
    assert shown == rungs and all(isinstance(r, Rung) for r in shown)
    by_name = {r.name: r for r in rungs}
    assert by_name["probe"].accuracy >= 0.8  # sports against cooking words: easy on MiniLM
    assert all(0.0 <= r.macro_f1 <= 1.0 and r.seconds > 0 for r in rungs)
    assert not list(paths.cache_dir().glob("ladder-*"))  # the trained rung's model is gone


def test_an_image_ladder_has_no_zero_shot_and_refuses_a_folder_without_classes(
    tmp_path: Path, image_folder: Path
) -> None:
    import pytest

    from fmstudio.core.errors import FmError

    rungs = run_to_end(ladder(Ladder(str(image_folder), "image", modes=())))
    assert [r.name for r in rungs] == ["probe"] and rungs[0].accuracy >= 0.8
    (tmp_path / "empty").mkdir()
    with pytest.raises(FmError, match="cannot be measured"):
        run_to_end(ladder(Ladder(str(tmp_path / "empty"), "image")))
