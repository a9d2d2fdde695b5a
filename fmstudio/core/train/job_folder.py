"""A training run as a folder to take where the GPUs are: the spec, the data with a manifest of
hashes, and launch scripts for torchrun and Slurm.

    job/
      spec.json           the TrainSpec, its data path relative to the folder (or absolute)
      manifest.csv        every data file: relative path, label (classifiers), sha256, bytes
      data/               the dataset as it was scanned (absent when only referenced)
      run-torchrun.sh     ./run-torchrun.sh [PROCESSES]   (default: every GPU, else 1)
      run-slurm.sbatch    sbatch --gpus-per-node=N run-slurm.sbatch
      README.md           what this is and how to run it

`fmstudio train --job DIR` checks the manifest first: a changed, missing or unreadable file is
an error that names it, before anything loads. The folder is written beside itself and renamed
when complete, like a model.
"""

from __future__ import annotations

import csv
import hashlib
import json
import shutil
from collections.abc import Generator
from dataclasses import asdict, replace
from pathlib import Path

from fmstudio.core.data.report import ScanReport
from fmstudio.core.errors import FmError
from fmstudio.core.events import Activity, CancelToken, EtaTracker, Event, Log, run_to_end
from fmstudio.core.library import check_replaceable, save_folder
from fmstudio.core.modalities import import_target, modality
from fmstudio.core.requests import Scan
from fmstudio.core.train import job_scripts
from fmstudio.core.train.spec import TrainSpec
from fmstudio.core.wording import plural

SPEC = "spec.json"
MANIFEST = "manifest.csv"
DATA = "data"
MODELS = "models"
CHUNK = 1 << 20


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while block := f.read(CHUNK):
            digest.update(block)
    return digest.hexdigest()


def _data_files(root: Path) -> list[Path]:
    """Every file the dataset consists of: a table, or the visible files under a folder."""
    if root.is_file():
        return [root]
    if not root.is_dir():
        raise FmError(f"{root} does not exist")
    return sorted(
        p
        for p in root.rglob("*")
        if p.is_file() and not any(part.startswith(".") for part in p.relative_to(root).parts)
    )


def _scanned(spec: TrainSpec) -> dict[str, tuple[str, str]]:
    """Each class file's (class, sha256), from the same scan that training starts with
    (classifiers only: the manifest reuses the hashes rather than reading the files again);
    a dataset that cannot train is refused here rather than on the cluster."""
    request = Scan(
        spec.data, spec.task, spec.val_split, spec.seed, spec.text_column, spec.label_column
    )
    found: ScanReport = run_to_end(import_target(modality(spec.task).scan)(request))
    if not found.ok:
        raise FmError("the dataset cannot be used:\n" + "\n".join(found.errors))
    return found.class_files()


def export_job(
    spec: TrainSpec, folder: Path, copy_data: bool = True, *, cancel: CancelToken | None = None
) -> Generator[Event, None, Path]:
    """Write the job folder; `copy_data=False` references the data where it is instead."""
    cancel = cancel or CancelToken()
    root = Path(spec.data).expanduser().resolve()
    folder = folder.expanduser().resolve()
    if folder.is_relative_to(root):
        raise FmError(f"the job folder {folder} cannot be inside the data it copies ({root})")
    spec = replace(spec, data=str(root))
    yield Activity(f"Scanning {root}…")
    scanned = _scanned(spec)
    files = _data_files(root)
    check_replaceable(folder, SPEC, "an fmstudio job folder")
    base = root.parent if root.is_file() else root
    staging = folder.parent / f".{folder.name}.staging"
    shutil.rmtree(staging, ignore_errors=True)
    try:
        rows = yield from _stage(files, base, scanned, staging if copy_data else None, cancel)
        where = DATA if copy_data else str(base)
        data = f"{where}/{root.name}" if root.is_file() else where
        # The job runs where the GPUs are: it picks its device there.
        job_spec = replace(spec, data=data, output=spec.output or folder.name, device="auto")

        def write(tmp: Path) -> None:
            if copy_data:
                (staging / DATA).rename(tmp / DATA)
            _write_files(tmp, job_spec, rows)

        saved = save_folder(folder, write)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    size = sum(int(r["bytes"]) for r in rows)
    yield Log(f"Wrote the job {saved}: {plural(len(rows), 'file')}, {size / 2**20:.1f} MB")
    return saved


def _stage(
    files: list[Path],
    base: Path,
    scanned: dict[str, tuple[str, str]],
    staging: Path | None,
    cancel: CancelToken,
) -> Generator[Event, None, list[dict[str, str]]]:
    """Each file's manifest row (hashed here unless the scan did), copied under
    `staging/data` when given."""
    rows: list[dict[str, str]] = []
    tracker = EtaTracker(len(files))
    for index, path in enumerate(files, 1):
        cancel.raise_if_cancelled()
        relative = path.relative_to(base).as_posix()
        label, digest = scanned.get(str(path), ("", ""))
        rows.append(
            {
                "path": relative,
                "label": label,
                "sha256": digest or file_sha256(path),
                "bytes": str(path.stat().st_size),
            }
        )
        if staging is not None:
            copy = staging / DATA / relative
            copy.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, copy)
        if index % 20 == 0 or index == len(files):
            yield tracker.progress(index, "copying the data" if staging else "hashing the data")
    return rows


def _write_files(folder: Path, spec: TrainSpec, rows: list[dict[str, str]]) -> None:
    (folder / SPEC).write_text(json.dumps(asdict(spec), indent=2), encoding="utf-8")
    with open(folder / MANIFEST, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=["path", "label", "sha256", "bytes"])
        writer.writeheader()
        writer.writerows(rows)
    job_scripts.write(folder, spec)


def load_job(folder: Path) -> TrainSpec:
    """The job's spec, its data path made absolute and its output inside the folder, once
    every file in the manifest is where it should be with the content it had."""
    folder = folder.expanduser().resolve()
    try:
        raw = json.loads((folder / SPEC).read_text(encoding="utf-8"))
        spec = TrainSpec(**raw)
    except FileNotFoundError:
        raise FmError(f"{folder} is not an fmstudio job folder (no {SPEC})") from None
    except (ValueError, TypeError) as exc:
        raise FmError(f"{folder / SPEC} cannot be read: {exc}") from exc
    data = Path(spec.data) if Path(spec.data).is_absolute() else folder / spec.data
    if not data.exists():
        raise FmError(f"the job's data {data} is missing; copy it there or export the job again")
    check_manifest(folder / MANIFEST, data.parent if data.is_file() else data)
    output = spec.output if Path(spec.output).is_absolute() else str(folder / MODELS / spec.output)
    return replace(spec, data=str(data), output=output)


def check_manifest(manifest: Path, base: Path) -> None:
    """Every listed file exists under `base` with its recorded hash, or an error naming it."""
    try:
        with open(manifest, newline="", encoding="utf-8") as f:
            rows = list(csv.DictReader(f))
    except FileNotFoundError:
        raise FmError(f"{manifest} is missing: the data cannot be checked") from None
    for row in rows:
        path = base / row["path"]
        if not path.is_file():
            raise FmError(f"{path} is missing (listed in {manifest.name})")
        if file_sha256(path) != row["sha256"]:
            raise FmError(
                f"{path} has changed since the job was written (its sha256 differs from "
                f"{manifest.name}); restore it or export the job again"
            )
