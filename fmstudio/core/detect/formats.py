"""Box datasets in the three formats labelling tools write: COCO JSON, YOLO txt, Pascal VOC XML.

A dataset is a folder of images and their boxes. Reading never stops at a bad file or box: each
one left out is a `Skipped` naming the file and the reason (a COCO file that is not JSON, a box
with swapped corners, a class id the class list does not have, labels for an image that is not
there), and the rest is read. An image without boxes is kept: a background example teaches the
detector where nothing is.
"""

from __future__ import annotations

import json
import math
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fmstudio.core.atomic import atomic_write_text
from fmstudio.core.data.report import Skipped
from fmstudio.core.data.suffixes import IMAGE_SUFFIXES
from fmstudio.core.detect.results import Box, Detections
from fmstudio.core.errors import FmError

FORMATS = ("coco", "yolo", "voc")
SPLIT_NAMES = {"train": "train", "val": "val", "valid": "val", "validation": "val", "test": "test"}


@dataclass(frozen=True)
class Labelled:
    """One image and its boxes (score 1: drawn by a person)."""

    path: str
    boxes: tuple[Box, ...]
    size: tuple[int, int]

    @property
    def split(self) -> str:
        """The split a folder on its path names (train, val or test), else ""."""
        return next((SPLIT_NAMES[p] for p in Path(self.path).parts if p in SPLIT_NAMES), "")


@dataclass
class BoxSet:
    """What a box dataset holds: its classes (in the file's order), images and problems."""

    root: str
    format: str
    classes: list[str]
    images: list[Labelled] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)

    def box_counts(self) -> dict[str, int]:
        counts = dict.fromkeys(self.classes, 0)
        for image in self.images:
            for box in image.boxes:
                counts[box.label] = counts.get(box.label, 0) + 1
        return counts


def from_detections(results: Sequence[Detections], min_score: float, root: Path) -> BoxSet:
    """The readable results' images with the boxes shown (at least `min_score`), classes in
    the order they first appear: what the Detect tab exports or adds to a dataset."""
    images = [Labelled(r.path, r.above(min_score), r.size) for r in results if r.ok]
    classes = list(dict.fromkeys(b.label for im in images for b in im.boxes))
    return BoxSet(str(root), "", classes, images)


def read_dataset(folder: str | Path) -> BoxSet:
    """The dataset in `folder`, in whichever format it holds (COCO, then YOLO, then VOC)."""
    root = Path(folder).expanduser()
    if not root.is_dir():
        raise FmError(f"{root} is not a folder")
    coco = _coco_files(root)
    if coco:
        return read_coco(root, coco)
    if yolo_classes_file(root) is not None:
        return read_yolo(root)
    if any(root.rglob("*.xml")):
        return read_voc(root)
    raise FmError(
        f"{root} holds no boxes fmstudio can read: a COCO .json (images, annotations, "
        "categories), YOLO labels with data.yaml or classes.txt, or Pascal VOC .xml files"
    )


def _images_in(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.suffix.lower() in IMAGE_SUFFIXES and p.is_file())


def image_size(path: Path) -> tuple[int, int]:
    """Width and height after a full decode (a truncated image fails here, not in training)."""
    from fmstudio.core.data.images import load_image

    return load_image(path).size


def _sized(path: Path, skipped: list[Skipped]) -> tuple[int, int] | None:
    from fmstudio.core.errors import InputFileError

    try:
        return image_size(path)
    except InputFileError as exc:
        skipped.append(Skipped(str(path), exc.reason))
    except Exception as exc:  # one odd file must not stop the others
        skipped.append(Skipped(str(path), f"{type(exc).__name__}: {exc}"))
    return None


def checked_box(
    corners: Sequence[float], size: tuple[int, int], where: str, skipped: list[Skipped]
) -> tuple[float, float, float, float] | None:
    """The box clipped to the image, or None (with the reason in `skipped`) when its corners
    are swapped, it has no area or it lies wholly outside."""
    x1, y1, x2, y2 = (float(v) for v in corners)
    if not all(math.isfinite(v) for v in (x1, y1, x2, y2)):
        reason = "a coordinate is not a number"
    elif x2 < x1 or y2 < y1:
        reason = f"its corners are swapped ({x1:g}, {y1:g}, {x2:g}, {y2:g})"
    elif x2 - x1 < 1 or y2 - y1 < 1:
        reason = "it has no area (under a pixel wide or high)"
    elif x2 <= 0 or y2 <= 0 or x1 >= size[0] or y1 >= size[1]:
        reason = f"it lies outside the {size[0]}x{size[1]} image"
    else:
        return max(x1, 0.0), max(y1, 0.0), min(x2, float(size[0])), min(y2, float(size[1]))
    skipped.append(Skipped(where, f"a box left out: {reason}"))
    return None


# --- COCO --------------------------------------------------------------------------------


def _coco_files(root: Path) -> list[Path]:
    """JSON files in the folder or its annotations/ folder that look like COCO."""
    found = []
    for path in sorted([*root.glob("*.json"), *root.glob("annotations/*.json")]):
        try:
            head = path.read_text(encoding="utf-8", errors="replace")[:4096]
        except OSError:
            continue
        if '"annotations"' in head or '"categories"' in head or '"images"' in head:
            found.append(path)
    return found


def read_coco(root: Path, files: Iterable[Path]) -> BoxSet:
    """Every COCO file's images (bbox [x, y, width, height]), classes merged by name."""
    dataset = BoxSet(str(root), "coco", [])
    for path in files:
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
            _add_coco(dataset, root, path, document)
        except (ValueError, OSError) as exc:
            dataset.skipped.append(Skipped(str(path), f"not a COCO JSON file ({exc})"))
        except (KeyError, TypeError) as exc:
            dataset.skipped.append(Skipped(str(path), f"not a COCO JSON file (no {exc})"))
    return dataset


def _coco_image_path(root: Path, json_file: Path, name: str) -> Path:
    for base in (json_file.parent, root, root / "images", json_file.parent.parent / "images"):
        if (base / name).is_file():
            return base / name
    return root / name


def _add_coco(dataset: BoxSet, root: Path, path: Path, document: dict[str, Any]) -> None:
    names = {int(c["id"]): str(c["name"]) for c in document["categories"]}
    dataset.classes += [n for n in names.values() if n not in dataset.classes]
    images = {int(i["id"]): i for i in document["images"]}
    boxes: dict[int, list[Box]] = {i: [] for i in images}
    where = {i: _coco_image_path(root, path, str(im["file_name"])) for i, im in images.items()}
    for note in document["annotations"]:
        image_id = int(note["image_id"])
        if image_id not in images:
            dataset.skipped.append(Skipped(str(path), f"a box for image id {image_id}, which "
                                           "the file does not list"))  # fmt: skip
            continue
        if int(note["category_id"]) not in names:
            reason = f"a box left out: unknown category id {note['category_id']}"
            dataset.skipped.append(Skipped(str(where[image_id]), reason))
            continue
        x, y, w, h = (float(v) for v in note["bbox"])
        size = (int(images[image_id]["width"]), int(images[image_id]["height"]))
        corners = checked_box((x, y, x + w, y + h), size, str(where[image_id]), dataset.skipped)
        if corners is not None:
            boxes[image_id].append(Box(names[int(note["category_id"])], 1.0, corners))
    for image_id, image_path in where.items():
        _add_image(dataset, image_path, boxes[image_id])


def _add_image(dataset: BoxSet, path: Path, boxes: list[Box]) -> None:
    """The image with its boxes, or a Skipped when it is missing or cannot be decoded."""
    if not path.is_file():
        dataset.skipped.append(Skipped(str(path), "labels for an image that is not there"))
        return
    size = _sized(path, dataset.skipped)
    if size is not None:
        dataset.images.append(Labelled(str(path), tuple(boxes), size))


def _file_name(image: Path, folder: Path) -> str:
    """The image's path relative to `folder` when it lies inside it, else whole."""
    try:
        return image.resolve().relative_to(folder.resolve()).as_posix()
    except ValueError:
        return str(image.resolve())


def write_coco(dataset: BoxSet, target: Path) -> Path:
    """One COCO file (`target`), image paths relative to its folder."""
    ids = {name: i + 1 for i, name in enumerate(dataset.classes)}
    images: list[dict[str, Any]] = []
    notes: list[dict[str, Any]] = []
    for n, image in enumerate(dataset.images, start=1):
        name = _file_name(Path(image.path), target.parent)
        images.append({"id": n, "file_name": name, "width": image.size[0], "height": image.size[1]})
        for box in image.boxes:
            x1, y1, x2, y2 = box.box
            notes.append({"id": len(notes) + 1, "image_id": n, "category_id": ids[box.label],
                          "bbox": [round(v, 2) for v in (x1, y1, x2 - x1, y2 - y1)],
                          "area": round((x2 - x1) * (y2 - y1), 2), "iscrowd": 0})  # fmt: skip
    categories = [{"id": i, "name": name} for name, i in ids.items()]
    document = {"images": images, "annotations": notes, "categories": categories}
    atomic_write_text(target, json.dumps(document, indent=1, ensure_ascii=False) + "\n")
    return target


# --- YOLO --------------------------------------------------------------------------------


CLASSES_FILE = "classes.txt"
"""Where fmstudio writes a YOLO dataset's class names, one a line."""
YAML_SUFFIXES = (".yaml", ".yml")


def yolo_classes_file(root: Path) -> Path | None:
    """The file naming a YOLO dataset's classes, the one the reader takes when several are."""
    for name in ("data.yaml", "data.yml", "dataset.yaml", CLASSES_FILE, "obj.names"):
        if (root / name).is_file():
            return root / name
    return None


def yolo_classes(path: Path) -> list[str]:
    """Class names from data.yaml (`names:` as a list or an id mapping) or a names file."""
    if path.suffix in YAML_SUFFIXES:
        import yaml

        try:
            names = (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("names")
        except (yaml.YAMLError, AttributeError) as exc:
            raise FmError(f"{path}: not a YOLO data.yaml ({exc})") from exc
        if isinstance(names, dict):
            return [str(names[k]) for k in sorted(names, key=int)]
        if isinstance(names, list):
            return [str(n) for n in names]
        raise FmError(f"{path}: has no 'names' list of classes")
    return [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def yolo_label_file(image: Path, root: Path) -> Path:
    """Where YOLO keeps an image's boxes: images/…/x.jpg → labels/…/x.txt, else x.txt beside."""
    parts = list(image.relative_to(root).parts)
    if "images" in parts:
        at = len(parts) - 1 - parts[::-1].index("images")
        parts[at] = "labels"
        return (root / Path(*parts)).with_suffix(".txt")
    return image.with_suffix(".txt")


def read_yolo(root: Path) -> BoxSet:
    """Images with `class cx cy w h` lines (fractions of the image); no file: no boxes."""
    classes_file = yolo_classes_file(root)
    assert classes_file is not None
    dataset = BoxSet(str(root), "yolo", yolo_classes(classes_file))
    images = _images_in(root)
    labels_used = set()
    for image in images:
        label_file = yolo_label_file(image, root)
        labels_used.add(label_file)
        size = _sized(image, dataset.skipped)
        if size is None:
            continue
        boxes = _yolo_boxes(label_file, dataset, size) if label_file.is_file() else []
        dataset.images.append(Labelled(str(image), tuple(boxes), size))
    for orphan in sorted(set(root.rglob("*.txt")) - labels_used - {classes_file}):
        if "labels" in orphan.relative_to(root).parts:
            dataset.skipped.append(Skipped(str(orphan), "labels for an image that is not there"))
    return dataset


def _yolo_boxes(path: Path, dataset: BoxSet, size: tuple[int, int]) -> list[Box]:
    boxes = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        fields = line.split()
        if not fields:
            continue
        where = f"{path}:{number}"
        try:
            if len(fields) != 5:
                raise ValueError
            index = int(fields[0])
            cx, cy, w, h = (float(v) for v in fields[1:])
        except ValueError:
            dataset.skipped.append(Skipped(where, "a box left out: not 'class cx cy w h'"))
            continue
        if not 0 <= index < len(dataset.classes):
            reason = (
                f"a box left out: class id {index} is not in the {len(dataset.classes)} classes"
            )
            dataset.skipped.append(Skipped(where, reason))
            continue
        width, height = size
        corners = ((cx - w / 2) * width, (cy - h / 2) * height,
                   (cx + w / 2) * width, (cy + h / 2) * height)  # fmt: skip
        checked = checked_box(corners, size, where, dataset.skipped)
        if checked is not None:
            boxes.append(Box(dataset.classes[index], 1.0, checked))
    return boxes


def yolo_lines(image: Labelled, classes: Sequence[str]) -> str:
    """An image's boxes as YOLO lines: class index, centre, width and height as fractions."""
    index = {name: i for i, name in enumerate(classes)}
    w, h = image.size
    lines = []
    for b in image.boxes:
        x1, y1, x2, y2 = b.box
        centre = f"{(x1 + x2) / 2 / w:.6f} {(y1 + y2) / 2 / h:.6f}"
        lines.append(f"{index[b.label]} {centre} {(x2 - x1) / w:.6f} {(y2 - y1) / h:.6f}\n")
    return "".join(lines)


def write_yolo(dataset: BoxSet, root: Path) -> Path:
    """A label file per image (where YOLO looks for it) and classes.txt in `root`."""
    for image in dataset.images:
        target = yolo_label_file(Path(image.path), root)
        target.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_text(target, yolo_lines(image, dataset.classes))
    write_classes(root / CLASSES_FILE, dataset.classes)
    return root


def write_classes(path: Path, classes: Sequence[str]) -> None:
    """A names file: one class a line, in index order."""
    atomic_write_text(path, "".join(c + "\n" for c in classes))


# --- Pascal VOC ----------------------------------------------------------------------------


def read_voc(root: Path) -> BoxSet:
    """An .xml per image (beside it, or in Annotations/ with the image in JPEGImages/)."""
    dataset = BoxSet(str(root), "voc", [])
    for path in sorted(root.rglob("*.xml")):
        try:
            tree = ET.parse(path).getroot()
        except (ET.ParseError, OSError) as exc:
            dataset.skipped.append(Skipped(str(path), f"not a Pascal VOC XML file ({exc})"))
            continue
        image = _voc_image(root, path, tree.findtext("filename") or "")
        if image is None:
            dataset.skipped.append(Skipped(str(path), "labels for an image that is not there"))
            continue
        size = _sized(image, dataset.skipped)
        if size is None:
            continue
        boxes = []
        for thing in tree.iter("object"):
            name = (thing.findtext("name") or "").strip()
            corners = _voc_corners(thing)
            if not name or corners is None:
                dataset.skipped.append(Skipped(str(path), "a box left out: no name or bndbox"))
                continue
            checked = checked_box(corners, size, str(path), dataset.skipped)
            if checked is not None:
                boxes.append(Box(name, 1.0, checked))
                if name not in dataset.classes:
                    dataset.classes.append(name)
        dataset.images.append(Labelled(str(image), tuple(boxes), size))
    return dataset


def _voc_corners(thing: ET.Element) -> tuple[float, ...] | None:
    box = thing.find("bndbox")
    try:
        return tuple(float(box.findtext(k) or "") for k in ("xmin", "ymin", "xmax", "ymax"))  # type: ignore[union-attr]
    except (ValueError, AttributeError):
        return None


def _voc_image(root: Path, xml_file: Path, name: str) -> Path | None:
    stem = Path(name).stem if name else xml_file.stem
    for folder in (xml_file.parent, root / "JPEGImages", xml_file.parent.parent / "JPEGImages"):
        if name and (folder / name).is_file():
            return folder / name
        for suffix in IMAGE_SUFFIXES:
            if (folder / (stem + suffix)).is_file():
                return folder / (stem + suffix)
    return None


def write_voc(dataset: BoxSet, root: Path) -> Path:
    """An .xml beside each image."""
    for image in dataset.images:
        note = ET.Element("annotation")
        ET.SubElement(note, "filename").text = Path(image.path).name
        size = ET.SubElement(note, "size")
        for key, count in zip(("width", "height", "depth"), (*image.size, 3), strict=True):
            ET.SubElement(size, key).text = str(count)
        for box in image.boxes:
            thing = ET.SubElement(note, "object")
            ET.SubElement(thing, "name").text = box.label
            corners = ET.SubElement(thing, "bndbox")
            for key, value in zip(("xmin", "ymin", "xmax", "ymax"), box.box, strict=True):
                ET.SubElement(corners, key).text = f"{value:.1f}"
        ET.indent(note)
        text = ET.tostring(note, encoding="unicode") + "\n"
        atomic_write_text(Path(image.path).with_suffix(".xml"), text)
    return root


WRITERS: dict[str, Callable[[BoxSet, Path], Path]] = {
    "coco": lambda d, root: write_coco(d, root / "annotations.json"),
    "yolo": write_yolo,
    "voc": write_voc,
}
