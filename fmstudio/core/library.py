"""The model library: where a trained model goes, and how it gets there without half-writes.

A model folder is written under a temporary name beside its target and renamed into place
only when complete, so a killed run never leaves a half model that the tabs would list.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import stat
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fmstudio import __version__
from fmstudio.core import catalog, hub_card, loading, paths
from fmstudio.core.atomic import atomic_write_text, normal_mode
from fmstudio.core.data.report import relative_path
from fmstudio.core.errors import FmError

if TYPE_CHECKING:
    from fmstudio.core.data.report import ScanReport

_NAME = re.compile(r"^[\w][\w .+-]{0,99}$")


def output_folder(output: str) -> Path:
    """A library name (`my-flowers`) or a path (`./out/flowers`, `~/models/x`)."""
    output = output.strip()
    if not output:
        raise FmError("give the model a name or an output folder")
    if "/" in output or "\\" in output or output.startswith(("~", ".")):
        return Path(output).expanduser().resolve()
    if not _NAME.match(output):
        raise FmError(
            f"{output!r} is not a usable model name: use letters, digits, spaces, '.', '-', '_'"
        )
    return paths.models_dir() / output


def check_replaceable(
    target: Path, marker: str = "model.json", what: str = "an fmstudio model"
) -> None:
    """Refuse to overwrite a folder that is not `what` (has no `marker` file): the user's own
    files. An empty folder may be used."""
    if target.exists() and not (target / marker).is_file():
        if target.is_dir() and not any(target.iterdir()):
            return
        raise FmError(
            f"{target} already exists and is not {what}; choose another output name or folder"
        )


def run_folder(target: Path) -> Path:
    """Where a run keeps its checkpoint until the model is saved (hidden, beside the target)."""
    return target.parent / f".{target.name}.run"


def save_folder(target: Path, write: Callable[[Path], None]) -> Path:
    """Call `write(tmp)` to fill a fresh folder, then move it to `target`, replacing any old one
    (see `staged_folder`)."""
    with staged_folder(target) as tmp:
        write(tmp)
    return target


@contextmanager
def staged_folder(target: Path) -> Iterator[Path]:
    """A fresh hidden folder beside `target` to fill; leaving the block moves it to `target`.

    Staging and committing are two steps, so a job can yield progress (and be stopped) while
    it fills the folder: an exception, a stop included, leaves no trace and the old model as it
    was. The old model is moved aside before the rename and deleted after, so at every moment
    `target` is either the old complete model or the new complete one.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.parent / f".{target.name}.tmp-{uuid.uuid4().hex[:8]}"
    existed = target.exists()
    try:
        tmp.mkdir()
        yield tmp
        _readable(tmp)
        _swap_into(tmp, target)
    except OSError as exc:  # disk full, permissions: say so; the old model stays as it was
        kept = "; the model saved there before is unchanged" if existed else ""
        raise FmError(f"could not save the model to {target}: {exc.strerror or exc}{kept}") from exc
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)


def _readable(folder: Path) -> None:
    """Every file with the user's normal mode: libraries that write atomically leave their
    temp file's 0600 (safetensors does), which another account or a backup cannot read."""
    plain, script = normal_mode(), normal_mode(executable=True)
    for path in folder.rglob("*"):
        if path.is_file() and not path.is_symlink():
            path.chmod(script if path.stat().st_mode & stat.S_IXUSR else plain)


def _swap_into(folder: Path, target: Path) -> None:
    old = None
    if target.exists():
        old = target.parent / f".{target.name}.old-{uuid.uuid4().hex[:8]}"
        target.rename(old)
    try:
        folder.rename(target)
    except OSError:
        if old is not None:
            old.rename(target)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


STAGING_PREFIX = ".unsaved-"


def staging_folder() -> Path:
    """A fresh hidden folder in the library for a model the user has not named yet."""
    return paths.models_dir() / f"{STAGING_PREFIX}{uuid.uuid4().hex[:8]}"


def shown_as(target: Path) -> str:
    """How a run's log names its model: a staged one has no name the user would know yet."""
    return "the new model" if target.name.startswith(STAGING_PREFIX) else str(target)


def publish(staging: Path, name: str) -> Path:
    """Give a staged model its name in the library (a rename: atomic on one file system)."""
    target = output_folder(name)
    check_replaceable(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.parent == staging.parent:
        _swap_into(staging, target)
    else:  # elsewhere: its card's relative paths are written again from there
        card = read_card(staging)

        def _copy(tmp: Path) -> None:
            _copy_into(staging, tmp)
            if card:
                write_card(tmp, card)

        save_folder(target, _copy)
        shutil.rmtree(staging, ignore_errors=True)
    for folder in (staging, target):  # a model replaced under its name must load anew
        loading.forget(folder)
    return target


def rename(folder: Path, name: str) -> Path:
    """Give a library model another name (its folder's): refused where a model or any other
    folder already has that name, so nothing is replaced by a rename."""
    target = output_folder(name)
    if target.exists():
        raise FmError(f"{target} exists already: choose another name")
    folder.rename(target)
    loading.forget(folder)
    return target


def delete(folder: Path) -> None:
    """Remove a library model for good, with its stopped run if it has one. Only a folder
    that holds a model.json is removed (never a folder the user pointed at by mistake)."""
    if not (folder / "model.json").is_file():
        raise FmError(f"{folder} is not a model fmstudio saved; it was left as it is")
    loading.forget(folder)
    shutil.rmtree(folder)
    shutil.rmtree(run_folder(folder), ignore_errors=True)


def _copy_into(source: Path, folder: Path) -> None:
    shutil.copytree(source, folder, dirs_exist_ok=True)


def dataset_hash(report: ScanReport) -> str:
    """A content hash of the examples and their labels: the same data gives the same hash.

    It uses the digests the scan computed, so no file is read again.
    """
    digest = hashlib.sha256()
    for sample in sorted([*report.train, *report.val], key=lambda s: (s.path, s.label)):
        rel = str(Path(relative_path(sample.path, report.root)))
        digest.update(f"{rel}\0{sample.label}\0{sample.sha256}\n".encode())
    return digest.hexdigest()


def model_card(
    *,
    task: str,
    base_model: str,
    classes: list[str],
    report: ScanReport,
    metrics: dict[str, Any],
    hyperparameters: dict[str, Any],
    history: list[dict[str, Any]],
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The model.json every library model carries: what it is and how it was made. It holds
    no name: the folder is the name, so a rename (the wizard's Save page) leaves it true."""
    return {
        "task": task,
        "base_model": base_model,
        "classes": classes,
        "dataset": {
            "path": report.root,
            "hash": dataset_hash(report),
            "split": report.split,
            "val_files": sorted(relative_path(s.path, report.root) for s in report.val),
            "train_examples": len(report.train),
            "val_examples": len(report.val),
            "counts": report.counts(),
        },
        "metrics": metrics,
        "hyperparameters": hyperparameters,
        "history": history,
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "fmstudio_version": __version__,
        **(extra or {}),
    }


LOCAL = ("data", "output", "base")
"""Hyperparameters that can be paths on this machine: the card has its own entries for the
dataset and the base model, and the folder is the output."""


def write_card(folder: Path, card: dict[str, Any]) -> None:
    """model.json, and the README.md model card made from it (see core/hub_card.py). Paths on
    this machine are written relative to the model's folder, so a shared folder carries none;
    `read_card` makes them whole again."""
    portable = _portable(card, folder)
    atomic_write_text(folder / "model.json", json.dumps(portable, indent=2))
    hub_card.write(folder, portable)


def _portable(card: dict[str, Any], folder: Path) -> dict[str, Any]:
    out = {k: v for k, v in card.items() if k != "name"}
    data = dict(out.get("dataset") or {})
    if data.get("path"):
        data["path"] = _relative(str(data["path"]), folder)
        out["dataset"] = data
    base = _base_folder(str(out.get("base_model", "")), str(out.get("task", "")))
    if base is not None:
        out["base_model"] = _relative(str(base), folder)
    hyper = out.get("hyperparameters")
    if isinstance(hyper, dict):
        out["hyperparameters"] = {k: v for k, v in hyper.items() if k not in LOCAL}
    return out


def _base_folder(base: str, task: str) -> Path | None:
    """The folder a base model names, where it names one outside the library (as the
    catalogue resolves it: a bundled or library model keeps its name)."""
    if not base or not task:
        return None
    try:
        entry = catalog.resolve(base, task)
    except FmError:  # gone since: it stays as it was written
        return None
    location = Path(entry.location) if entry.source == "library" and entry.location else None
    library = paths.models_dir().resolve()
    return location if location and location.resolve().parent != library else None


def _relative(path: str, folder: Path) -> str:
    """`path` from `folder` ("../data/pets"); as it is where no relative path leads there (a
    Windows path on another drive)."""
    try:
        relative = os.path.relpath(Path(path).absolute(), folder.absolute())
    except ValueError:
        return path
    return relative if relative.startswith(".") else f".{os.sep}{relative}"


def _whole(path: str, folder: Path) -> str:
    """A path `_relative` wrote, from `folder` again (absolute ones and names stay as they are)."""
    if path.startswith(("./", "../", ".\\", "..\\")):
        return str((folder / path).resolve())
    return path


def read_card(folder: Path) -> dict[str, Any]:
    """The model's card, named by its folder (cards written before 0.2 carried a name too)."""
    try:
        card = dict(json.loads((folder / "model.json").read_text(encoding="utf-8")))
    except (OSError, ValueError):
        return {}
    data = card.get("dataset")
    if isinstance(data, dict) and data.get("path"):
        card["dataset"] = {**data, "path": _whole(str(data["path"]), folder)}
    if card.get("base_model"):
        card["base_model"] = _whole(str(card["base_model"]), folder)
    return {**card, "name": folder.name}
