"""User settings: a dataclass saved as JSON with a schema version, written atomically."""

from __future__ import annotations

import json
import logging
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from fmstudio.core import catalog, paths
from fmstudio.core.atomic import atomic_write_text
from fmstudio.core.modalities import tasks
from fmstudio.core.text import DEFAULT_TEMPLATE

SCHEMA_VERSION = 2
"""2: the per-task fields (`image_model`, `text_top_k`, …) became the `models` and `top_k`
mappings; `_migrated` reads a version-1 file into them."""
DEFAULT_TOP_K = 5
log = logging.getLogger(__name__)


@dataclass
class Settings:
    """Everything fmstudio remembers between runs, other than window geometry (QSettings)."""

    schema_version: int = SCHEMA_VERSION
    device: str = "auto"
    last_folder: str = ""
    """The folder of the last dialog whose own folder is not known yet (see `folders`)."""
    folders: dict[str, str] = field(default_factory=dict)
    """Where each kind of dialog last went ("open:image", "data:speech", …): the Image tab's
    photos, a speech dataset and a folder to label are seldom in one place."""
    last_tab: str = ""
    """The tab shown when the window closed ("": the first)."""
    models: dict[str, str] = field(default_factory=dict)
    """The model each task's tab last used (task → name); a task not here uses its default."""
    text_labels: str = ""
    text_template: str = DEFAULT_TEMPLATE
    use_template: bool = True
    top_k: dict[str, int] = field(default_factory=dict)
    """Labels shown per input, per classifier task (task → k; 5 when not here)."""
    export_folder: str = ""
    """Where the last export went; the next export dialog opens there."""
    model_export_format: str = "onnx"
    """The format the last model export used (ONNX or TorchScript)."""
    model_export_folder: str = ""
    """Where the last model export went: the next one is offered beside it."""
    job_export_folder: str = ""
    """Where the last training job folder went: the next one is offered beside it."""
    job_copy_data: bool = True
    """Job folders carry a copy of the data (else a manifest of where it is)."""
    datasets: dict[str, str] = field(default_factory=dict)
    """The dataset folder each tab last added to (task → folder)."""
    sort_folder: str = ""
    """Where the last sort into folders went."""
    speakers: int | None = None
    """Speakers in transcripts: None off, 0 found automatically, N asked for."""
    translate: bool = False
    """Translate multilingual speech into English."""
    min_score: float = 0.3
    """The Detect tab's threshold: boxes scoring less are not shown or exported."""
    inputs: dict[str, str] = field(default_factory=dict)
    """The input each recording tab last used, by name (task → "System audio (…)", say)."""
    watch: dict[str, Any] = field(default_factory=dict)
    """The Speech tab's folder watch: folder, output_dir ("": beside each file), formats,
    and on (it was watching when the app closed, so it watches again when it starts)."""

    def model(self, task: str) -> str:
        return self.models.get(task) or catalog.default_model(task)

    def remember_model(self, task: str, name: str) -> None:
        self.models = {**self.models, task: name}

    def top_k_of(self, task: str) -> int:
        return self.top_k.get(task, DEFAULT_TOP_K)

    def remember_top_k(self, task: str, k: int) -> None:
        self.top_k = {**self.top_k, task: k}

    def folder(self, purpose: str) -> str:
        """Where the dialog for `purpose` opens: where it last went, else where any did."""
        return self.folders.get(purpose) or self.last_folder or str(Path.home())

    def remember_folder(self, purpose: str, folder: str | Path) -> None:
        self.folders = {**self.folders, purpose: str(folder)}
        self.last_folder = str(folder)

    def export_start(self, name: str) -> str:
        """The path an export dialog suggests: the last export's folder, else the last one."""
        return str(Path(self.export_folder or self.last_folder or Path.home()) / name)


def settings_path() -> Path:
    return paths.config_dir() / "settings.json"


def load(path: Path | None = None) -> Settings:
    """Read settings; a missing or broken file gives defaults (and is logged), never a crash."""
    path = path or settings_path()
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return Settings()
    except (OSError, ValueError) as exc:
        log.warning("ignoring unreadable settings %s: %s", path, exc)
        _keep_aside(path)
        return Settings()
    if not isinstance(raw, dict):
        _keep_aside(path)
        return Settings()
    known = {f.name for f in fields(Settings)}
    values = {k: v for k, v in _migrated(raw).items() if k in known}
    values["schema_version"] = SCHEMA_VERSION
    try:
        return Settings(**values)
    except TypeError:
        return Settings()


def _migrated(raw: dict[str, Any]) -> dict[str, Any]:
    """A version-1 file's per-task fields (`<task>_model`, `<task>_top_k`) in the mappings
    that replaced them, so an upgrade keeps the user's choices."""
    out = dict(raw)
    models = dict(out.get("models") or {})
    top_k = dict(out.get("top_k") or {})
    for task in tasks():
        if isinstance(raw.get(f"{task}_model"), str):
            models.setdefault(task, raw[f"{task}_model"])
        if isinstance(raw.get(f"{task}_top_k"), int):
            top_k.setdefault(task, raw[f"{task}_top_k"])
    out["models"], out["top_k"] = models, top_k
    return out


def _keep_aside(path: Path) -> None:
    """Keep a broken settings file beside the new one (`settings.json.broken`), not lose it."""
    try:
        path.replace(path.with_name(path.name + ".broken"))
    except OSError as exc:
        log.warning("could not keep the broken settings file %s: %s", path, exc)


def save(settings: Settings, path: Path | None = None) -> None:
    atomic_write_text(path or settings_path(), json.dumps(asdict(settings), indent=2))
