from __future__ import annotations

import json
from pathlib import Path

import pytest

from fmstudio.core import catalog, loading, paths
from fmstudio.core.errors import ModelUnavailableError


def test_bundled_models_are_available_offline() -> None:
    bundled = {e.name: e for e in catalog.list_models() if e.source == "bundled"}
    assert {name: e.task for name, e in bundled.items()} == {
        "efficientnet_lite0": "image",
        "efficientnet_lite2": "image",
        "all-MiniLM-L6-v2": "text",
        "use-multilingual": "text",
        "whisper-tiny.en": "speech",
        "whisper-base": "speech",
        "centernet-coco": "detect",
        "yamnet": "sound",
        "sfx-cnn": "sound",
    }
    assert all(e.available_offline for e in bundled.values())
    assert not bundled["sfx-cnn"].tries and not bundled["yamnet"].trainable


def test_hub_models_are_listed_as_needing_network(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path))
    hub = [e for e in catalog.list_models() if e.source == "hub"]
    assert hub and not any(e.available_offline for e in hub)
    (tmp_path / "models--timm--resnet50.a1_in1k" / "snapshots" / "abc").mkdir(parents=True)
    assert catalog.is_hub_cached("resnet50.a1_in1k")


def test_library_models_are_listed(fm_home: Path) -> None:
    folder = paths.ensure(paths.models_dir() / "my-flowers")
    (folder / "model.json").write_text(
        json.dumps({"task": "image", "base_model": "efficientnet_lite0", "classes": ["a", "b"]})
    )
    (folder / "model.safetensors").write_bytes(b"weights")
    broken = paths.ensure(paths.models_dir() / "broken")
    (broken / "model.json").write_text("{")
    entries = catalog.list_models("image")
    lib = [e for e in entries if e.source == "library"]
    assert [e.name for e in lib] == ["my-flowers"]
    assert "2 classes" in lib[0].description
    assert catalog.resolve("my-flowers", "image").location == str(folder)
    assert not catalog.list_models("text") or all(
        e.task == "text" for e in catalog.list_models("text")
    )


def test_resolve_aliases_and_errors(tmp_path: Path) -> None:
    assert catalog.resolve("tiny.en", "speech").source == "bundled"
    assert (
        catalog.resolve("sentence-transformers/all-MiniLM-L6-v2", "text").name == "all-MiniLM-L6-v2"
    )
    assert catalog.resolve(str(tmp_path), "image").location == str(tmp_path.resolve())
    assert catalog.resolve("someone/some-model", "text").source == "hub"
    with pytest.raises(ModelUnavailableError, match="does not exist"):
        catalog.resolve("./no/such/folder", "image")
    with pytest.raises(ModelUnavailableError):
        catalog.resolve("  ", "image")


def test_a_model_of_another_task_is_named_as_such_not_as_uncached() -> None:
    """Models → Evaluate kept whisper-tiny.en for a text task and said it was not cached."""
    with pytest.raises(ModelUnavailableError, match=r"whisper-tiny\.en is for Speech, not Text"):
        catalog.resolve("whisper-tiny.en", "text")
    with pytest.raises(ModelUnavailableError, match="all-MiniLM-L6-v2 is for Text, not Image"):
        catalog.resolve("all-MiniLM-L6-v2", "image")


def test_listing_does_not_import_torch() -> None:
    import subprocess
    import sys

    code = (
        "import sys; from fmstudio.core import catalog; "
        "catalog.list_models(); print('torch' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_two_folders_with_one_name_are_two_models(tmp_path: Path, tiny_image_base: Path) -> None:
    import shutil

    first, second = tmp_path / "a" / "model", tmp_path / "b" / "model"
    shutil.copytree(tiny_image_base, first)
    shutil.copytree(tiny_image_base, second)
    one = loading.cached_load(str(first), "image")
    assert loading.cached_load(str(first), "image") is one
    assert loading.cached_load(str(second), "image") is not one
    loading.forget(first)
    assert loading.cached_load(str(first), "image") is not one


def test_callers_share_one_load_and_a_forgotten_load_is_not_kept(
    tmp_path: Path, tiny_image_base: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import shutil
    import threading
    from concurrent.futures import ThreadPoolExecutor

    folder = tmp_path / "model"
    shutil.copytree(tiny_image_base, folder)
    loads: list[str] = []
    release = threading.Event()
    real_load = loading._load_entry

    def slow_load(entry, task, device):  # a slow disk: the load waits for the test
        loads.append(entry.name)
        release.wait(10)
        return real_load(entry, task, device)

    waiting: list[int] = []
    real_wait = loading.wait_for

    def counted_wait(*args):
        waiting.append(1)
        return real_wait(*args)

    monkeypatch.setattr(loading, "_load_entry", slow_load)
    monkeypatch.setattr(loading, "wait_for", counted_wait)
    with ThreadPoolExecutor(2) as pool:
        callers = [pool.submit(loading.cached_load, str(folder), "image") for _ in range(2)]
        while len(waiting) < 2:  # both callers wait for the load under way
            threading.Event().wait(0.01)
        loading.forget(folder)  # saved over while it loads
        release.set()
        first, second = (c.result(timeout=30) for c in callers)
    assert first is second and len(loads) == 1, "both callers got the one load"
    assert loading.cached_load(str(folder), "image") is not first, "the old load was not kept"
    assert len(loads) == 2


def test_broken_library_models_are_listed_with_the_reason_and_never_unpickled(
    tmp_path: Path, tiny_text_base: Path
) -> None:
    import pickle
    import shutil

    from fmstudio.core import catalog, paths
    from fmstudio.core.errors import ModelUnavailableError

    library = paths.models_dir()
    library.mkdir(parents=True, exist_ok=True)
    (library / "garbled").mkdir()
    (library / "garbled" / "model.json").write_text("{not json")
    (library / "no-weights").mkdir()
    (library / "no-weights" / "model.json").write_text('{"task": "image", "classes": ["a"]}')
    pickled = library / "pickled"
    shutil.copytree(tiny_text_base, pickled)
    (pickled / "model.safetensors").unlink()
    marker = tmp_path / "unpickled"

    class Payload:
        def __reduce__(self):
            return (open, (str(marker), "w"))

    (pickled / "pytorch_model.bin").write_bytes(pickle.dumps(Payload()))
    (pickled / "model.json").write_text('{"task": "text", "classes": ["neg", "pos"]}')

    listed = {e.name: e for e in catalog.list_models() if e.source == "library"}
    assert listed["garbled"].problem.startswith("its model.json is unreadable")
    assert listed["no-weights"].problem == "its weights (model.safetensors) are missing"
    assert "pickle (pytorch_model.bin)" in listed["pickled"].problem
    assert not any(e.available_offline for e in listed.values())
    assert "garbled" not in {e.name for e in catalog.library_entries("image")}
    for name, task in (("no-weights", "image"), ("pickled", "text"), (str(pickled), "text")):
        with pytest.raises(ModelUnavailableError):
            loading.load(name, task)
    assert not marker.exists(), "the pickle was never loaded"


def test_loaded_models_are_frozen_out_of_the_garbage_collector() -> None:
    """A full collection walked every object of every loaded model (250 ms with the GIL
    held during transcription, a frozen window); frozen, only new objects are walked."""
    import gc

    loading.cached_load("whisper-tiny.en", "speech")
    assert gc.get_freeze_count() > len(gc.get_objects())
