"""Growing a box dataset from the Detect tab: an image and the boxes it was shown with become a
training example (the image copied under a free name into images/, its boxes as YOLO lines in
labels/, classes.txt extended), and the last addition can be taken back."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from fmstudio.core.atomic import atomic_write_text
from fmstudio.core.detect.formats import Labelled, yolo_classes, yolo_lines
from fmstudio.core.detect.results import Detections
from fmstudio.core.errors import FmError
from fmstudio.core.placing import copy_into

CLASSES = "classes.txt"


@dataclass
class Added:
    """What one addition wrote, so that undo removes exactly that."""

    folder: Path
    files: list[Path] = field(default_factory=list)
    boxes: int = 0

    @property
    def images(self) -> int:
        return len(self.files) // 2


def dataset_classes(folder: Path) -> list[str]:
    """The classes the dataset already names (classes.txt or data.yaml), in their order."""
    for name in (CLASSES, "data.yaml"):
        if (folder / name).is_file():
            return yolo_classes(folder / name)
    return []


def add_detections(results: Sequence[Detections], min_score: float, folder: Path) -> Added:
    """Each readable result's image and its boxes scoring at least `min_score` (none: a
    background example) into the YOLO dataset in `folder`."""
    classes = dataset_classes(folder)
    images = [Labelled(r.path, r.above(min_score), r.size) for r in results if r.ok]
    seen = dict.fromkeys(b.label for im in images for b in im.boxes)
    new = [c for c in seen if c not in classes]
    if new and (folder / "data.yaml").is_file():
        raise FmError(f"{folder / 'data.yaml'} does not name {', '.join(new)}: add them there")
    classes += new
    added = Added(folder)
    for image in images:
        placed = copy_into(Path(image.path), folder / "images")
        label = folder / "labels" / f"{placed.stem}.txt"
        label.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_text(label, yolo_lines(image, classes))
        added.files += [placed, label]
        added.boxes += len(image.boxes)
    if images and not (folder / "data.yaml").is_file():
        atomic_write_text(folder / CLASSES, "".join(c + "\n" for c in classes))
    return added


def undo(added: Added) -> None:
    """Remove what `added` wrote (the classes it named stay listed: harmless to training)."""
    for path in added.files:
        path.unlink(missing_ok=True)
