"""Growing a box dataset from the Detect tab: an image and the boxes it was shown with become a
training example (the image copied under a free name into images/, its boxes as YOLO lines in
labels/, the class names extended), and the last addition can be taken back. An image added
again (its boxes fixed since) keeps its place: only its labels are rewritten."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from fmstudio.core.atomic import atomic_write_text
from fmstudio.core.detect.formats import (
    CLASSES_FILE,
    YAML_SUFFIXES,
    from_detections,
    write_classes,
    yolo_classes,
    yolo_classes_file,
    yolo_lines,
)
from fmstudio.core.detect.results import Detections
from fmstudio.core.errors import FmError
from fmstudio.core.placing import copy_into


@dataclass
class Added:
    """What one addition wrote, so that undo removes exactly that."""

    folder: Path
    files: list[Path] = field(default_factory=list)
    """The images copied in and their label files."""
    placed: dict[str, Path] = field(default_factory=dict)
    """Each added image's own path → its copy in the dataset (re-added ones too)."""
    previous: dict[Path, str] = field(default_factory=dict)
    """The label files rewritten, with what they held before."""
    boxes: int = 0

    @property
    def images(self) -> int:
        return len(self.placed)


def add_detections(
    results: Sequence[Detections],
    min_score: float,
    folder: Path,
    placed: Mapping[str, Path] | None = None,
) -> Added:
    """Each readable result's image and its boxes scoring at least `min_score` (none: a
    background example) into the YOLO dataset in `folder`; an image already `placed` there
    (its path → its copy) only gets its labels rewritten. Its classes are read from the file
    the reader takes (data.yaml before classes.txt); new ones are appended, except to a
    data.yaml, which fmstudio does not rewrite."""
    names = yolo_classes_file(folder)
    classes = yolo_classes(names) if names is not None else []
    shown = from_detections(results, min_score, folder)
    new = [c for c in shown.classes if c not in classes]
    if new and names is not None and names.suffix in YAML_SUFFIXES:
        raise FmError(f"{names} does not name {', '.join(new)}: add them there")
    classes += new
    added = Added(folder)
    for image in shown.images:
        copy = (placed or {}).get(image.path)
        if copy is not None and copy.is_file():
            label = folder / "labels" / f"{copy.stem}.txt"
            added.previous[label] = label.read_text() if label.is_file() else ""
        else:
            copy = copy_into(Path(image.path), folder / "images")
            label = folder / "labels" / f"{copy.stem}.txt"
            added.files += [copy, label]
        label.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_text(label, yolo_lines(image, classes))
        added.placed[image.path] = copy
        added.boxes += len(image.boxes)
    if shown.images and (names is None or names.suffix not in YAML_SUFFIXES):
        write_classes(names or folder / CLASSES_FILE, classes)
    return added


def undo(added: Added) -> None:
    """Remove what `added` wrote and put back the labels it rewrote (the classes it named stay
    listed: harmless to training)."""
    for path in added.files:
        path.unlink(missing_ok=True)
    for label, text in added.previous.items():
        atomic_write_text(label, text)
