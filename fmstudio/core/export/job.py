"""The export job: a library or bundled classifier written as ONNX or TorchScript, checked.

Every export is loaded back the way a user would load it (ONNX Runtime, `torch.jit.load`)
and compared with the torch model on a few inputs before the folder appears; a mismatch
leaves nothing behind.
"""

from __future__ import annotations

import json
import re
import warnings
from collections.abc import Generator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch

from fmstudio import __version__
from fmstudio.core import catalog, library, loading
from fmstudio.core.errors import FmError
from fmstudio.core.events import Activity, CancelToken, Event, Log
from fmstudio.core.export import graphs, snippets
from fmstudio.core.modalities import exportable_tasks, import_target, modality, tasks
from fmstudio.core.requests import Export

FORMATS = {"onnx": "model.onnx", "torchscript": "model.pt"}
META_FILE = "fmstudio-export.json"


@dataclass(frozen=True)
class ExportResult:
    folder: Path
    format: str
    largest_difference: float
    top1_same: bool


def find_task(name: str) -> str:
    """Which task `name` is a model of: bundled, library or a folder with a model.json."""
    found = [task for task in tasks() if catalog.bundled_name(name, task)]
    if not found:
        found = [e.task for e in catalog.library_entries() if e.name == name]
    folder = Path(name).expanduser()
    if not found and (folder / "model.json").is_file():
        found = [str(library.read_card(folder).get("task", ""))]
    if found and found[0] in tasks() and not modality(found[0]).exportable:
        raise FmError(modality(found[0]).not_exportable)
    if found and found[0] in exportable_tasks():
        return found[0]
    raise FmError(
        f"cannot tell which kind of model {name} is ({' or '.join(exportable_tasks())}): add --task"
    )


def default_output(name: str, fmt: str) -> Path:
    stem = re.sub(r"[^\w.+-]+", "-", Path(name.rstrip("/\\")).name) or "model"
    return Path.cwd() / f"{stem}-{fmt}"


def export_model(
    request: Export, *, cancel: CancelToken | None = None
) -> Generator[Event, None, ExportResult]:
    """Write `request.model` to `request.output` as ONNX or TorchScript, checked."""
    cancel = cancel or CancelToken()
    if request.format not in FORMATS:
        raise FmError(f"unknown format {request.format!r}; choose onnx or torchscript")
    task = request.task or find_task(request.model)
    if task not in exportable_tasks():
        raise FmError(modality(task).not_exportable or f"{task} models cannot be exported")
    target = Path(request.output).expanduser().resolve() if request.output else None
    name = catalog.bundled_name(request.model, task) or request.model
    target = target or default_output(name, request.format)
    library.check_replaceable(target, META_FILE, "an fmstudio export")
    yield Activity(f"Loading {request.model}…")
    loaded = loading.load(request.model, task, "cpu")
    item = import_target(str(modality(task).exportable))(loaded)
    cancel.raise_if_cancelled()
    yield Activity(f"Exporting to {request.format} and checking it against PyTorch…")
    checked: dict[str, float | bool] = {}

    calibration = _calibration(request.model, task)

    def write(folder: Path) -> None:
        path = folder / FORMATS[request.format]
        props = {"fmstudio.calibration": json.dumps(calibration)} if calibration else None
        checked.update(_write_checked(item, request.format, path, props))
        item.save_extras(folder)
        meta = {**_metadata(item, request, task, checked), **_calibrated(calibration)}
        (folder / META_FILE).write_text(json.dumps(meta, indent=2), encoding="utf-8")
        (folder / "README.md").write_text(snippets.readme(meta, str(target)), encoding="utf-8")

    library.save_folder(target, write)
    result = ExportResult(
        target, request.format, float(checked["difference"]), bool(checked["top1_same"])
    )
    yield Log(f"Saved {target} (largest difference from PyTorch {result.largest_difference:.1e})")
    return result


def _calibration(model: str, task: str) -> dict[str, Any]:
    """The temperature and unsure threshold training saved in the model's card, if any."""
    location = catalog.resolve(model, task).location
    found = library.read_card(Path(location)).get("calibration") if location else None
    return dict(found) if isinstance(found, dict) else {}


def _calibrated(calibration: dict[str, Any]) -> dict[str, Any]:
    if not calibration:
        return {}
    return {
        "calibration": calibration,
        "calibration_use": "divide the logits by calibration.temperature before the softmax; "
        "a top score under calibration.unsure_below is unsure",
    }


def _write_checked(
    item: graphs.Exportable, fmt: str, path: Path, props: dict[str, str] | None = None
) -> dict[str, float | bool]:
    """Write the file, load it back as a user would, and compare it with torch."""
    try:
        if fmt == "onnx":
            graphs.export_onnx(item.module, item.example, item.spec, path, props)
            session = graphs.session(path)
            feed = {name: t.numpy() for name, t in zip(item.spec.inputs, item.example, strict=True)}
            got = np.asarray(session.run(None, feed)[0])
        else:
            graphs.export_torchscript(item.module, item.example, path)
            with torch.inference_mode(), warnings.catch_warnings():
                warnings.simplefilter("ignore", FutureWarning)  # "use torch.export instead"
                got = torch.jit.load(str(path))(*item.example).float().numpy()
    except graphs.GraphError as exc:
        raise FmError(str(exc)) from exc
    # embeddings have no top class; a detector's map of scores has one per cell, not per input
    top1 = bool(item.metadata.get("labels")) and got.ndim == 2
    try:
        difference = graphs.check(item.module, item.example, got, top1)
    except graphs.GraphError as exc:
        raise FmError(f"the {fmt} export does not compute what the model does: {exc}") from exc
    return {"difference": difference, "top1_same": top1}


def _metadata(
    item: graphs.Exportable, request: Export, task: str, checked: dict[str, float | bool]
) -> dict[str, object]:
    return {
        **item.metadata,
        "task": task,
        "model": Path(request.model.rstrip("/\\")).name,
        "source": request.model,
        "format": request.format,
        "file": FORMATS[request.format],
        "inputs": list(item.spec.inputs),
        "outputs": list(item.spec.outputs),
        "check": {
            "inputs": int(item.example[0].shape[0]),
            "largest_difference": checked["difference"],
            "tolerance": graphs.TOLERANCE,
            "top1_same": checked["top1_same"],
        },
        "fmstudio_version": __version__,
    }
