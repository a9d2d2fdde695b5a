"""Loading models: once per (model, task, device), on a thread of its own, on the fastest
checked path, and forgotten when a model is saved over.

The catalogue (`catalog.py`) says what a name means and never imports torch; this module
turns an entry into a loaded model through its task's `models` module.
"""

from __future__ import annotations

import gc
import threading
from concurrent.futures import Future
from pathlib import Path
from typing import Any

from fmstudio.core.catalog import ModelEntry, resolve
from fmstudio.core.errors import ModelUnavailableError
from fmstudio.core.events import CancelToken, in_background, wait_for
from fmstudio.core.modalities import import_target, modality


def load(name: str, task: str, device: str = "cpu") -> Any:
    """Load a model for `task` on `device` (imports the modality package, and so torch)."""
    return _load_entry(resolve(name, task), task, device)


def _load_entry(entry: ModelEntry, task: str, device: str) -> Any:
    if entry.problem:
        raise ModelUnavailableError(f"{entry.name} cannot be used: {entry.problem}")
    return import_target(modality(task).models).load(entry, device)


def _fastest(model: Any, task: str) -> Any:
    """The model on its fastest checked inference path (ONNX Runtime, bf16…), where its
    modality's models module offers `speed_up`. Only cached (inference) loads get it:
    training builds on the plain torch module that `load` returns."""
    speed_up = getattr(import_target(modality(task).models), "speed_up", None)
    return speed_up(model) if speed_up is not None else model


def _identity(entry: ModelEntry) -> str:
    """What a model *is*: its folder for library and folder models, else its name.

    Two folders that share a base name (`/a/model`, `/b/model`) are two models.
    """
    return entry.location or f"{entry.source}:{entry.name}"


_Key = tuple[str, str, str]
_cache: dict[_Key, Any] = {}
_loading: dict[_Key, Future[Any]] = {}
_cache_lock = threading.Lock()


def cached_load(
    name: str, task: str, device: str = "cpu", cancel: CancelToken | None = None
) -> Any:
    """Load once per (model, task, device) and keep it while the app runs.

    The load runs on a thread of its own and the caller only waits for it, so `cancel` ends
    the wait at once: a download or a slow disk cannot be interrupted, but Stop and closing
    the window must not wait for it. An abandoned load finishes in the background and a later
    call finds the model cached; callers of the same model share one load.
    """
    entry = resolve(name, task)
    key = (_identity(entry), task, device)
    with _cache_lock:
        if key in _cache:
            return _cache[key]
        loading = _loading.get(key)
        first = loading is None
        if loading is None:
            loading = _loading[key] = in_background(
                lambda: _fastest(_load_entry(entry, task, device), task), f"load {entry.name}"
            )
    if first:  # outside the lock: a load already done calls back at once, on this thread
        loading.add_done_callback(lambda done: _keep(key, done))
    return wait_for(loading, cancel)


def _keep(key: _Key, loading: Future[Any]) -> None:
    """Cache a finished load, unless it was forgotten (saved over) meanwhile; forget a failed
    one, so that a later call tries again."""
    with _cache_lock:
        if _loading.get(key) is not loading:
            return
        del _loading[key]
        if loading.exception() is not None:
            return
        _cache[key] = loading.result()
    # A loaded model is millions of long-lived Python objects (tokenizer tables, module
    # trees): every full collection walked them all, holding the GIL for 250 ms at a time
    # and freezing the window during transcription. Frozen, the collector skips them
    # (benchmarks/bench_gui_responsiveness.py).
    gc.freeze()


def forget(folder: Path) -> None:
    """Drop cached loads of the model in `folder`, and keep none under way: a model saved
    again there must reload."""
    location = str(Path(folder).resolve())
    with _cache_lock:
        for key in [k for k in _cache if k[0] == location]:
            del _cache[key]
        for key in [k for k in _loading if k[0] == location]:
            del _loading[key]


def is_loaded(name: str, task: str, device: str = "cpu") -> bool:
    """Whether `name` is loaded and kept for `task` on `device` (a drop would find it)."""
    key = (_identity(resolve(name, task)), task, device)
    with _cache_lock:
        return key in _cache


def preload(name: str, task: str, device: str = "auto") -> Future[Any]:
    """Start loading `name` now, in the background, so that the first drop finds it ready:
    a tab calls this when it is shown or a model is chosen. Only models that need no
    network are loaded (no download starts by itself); a failure waits for the job that
    needs the model to report it."""

    def load() -> Any:
        resolve_device = import_target("fmstudio.core.devices:resolve_device")  # torch
        entry = resolve(name, task)
        if entry.problem or entry.availability() != "offline":
            return None
        return cached_load(name, task, resolve_device(device))

    return in_background(load, f"preload {name}")
