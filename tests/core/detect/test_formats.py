"""Box datasets in COCO, YOLO and VOC: what one writes the others read, and bad input named."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PIL import Image

from fmstudio.core.detect.formats import WRITERS, BoxSet, Labelled, read_dataset
from fmstudio.core.detect.results import Box
from fmstudio.core.errors import FmError


def _images(root: Path, names: list[str], size: tuple[int, int] = (200, 100)) -> list[Path]:
    (root / "images").mkdir(parents=True, exist_ok=True)
    paths = []
    for n, name in enumerate(names):
        path = root / "images" / name
        Image.new("RGB", size, (40 * n, 90, 160)).save(path)
        paths.append(path)
    return paths


@pytest.mark.parametrize("kind", ["coco", "yolo", "voc"])
def test_what_one_format_writes_reads_back_the_same(tmp_path: Path, kind: str) -> None:
    a, b, empty = _images(tmp_path, ["a.png", "b.jpg", "empty.png"])
    boxes = {
        a: (Box("dog", 1.0, (10, 20, 110, 90)), Box("cat", 1.0, (120.5, 5, 199, 60))),
        b: (Box("cat", 1.0, (0, 0, 50, 50)),),
        empty: (),
    }
    written = BoxSet(str(tmp_path), kind, ["cat", "dog"])
    written.images = [Labelled(str(p), bs, (200, 100)) for p, bs in boxes.items()]
    WRITERS[kind](written, tmp_path)
    read = read_dataset(tmp_path)
    assert read.format == kind and read.skipped == []
    assert sorted(read.classes) == ["cat", "dog"]
    got = {Path(im.path).name: im for im in read.images}
    assert set(got) == {"a.png", "b.jpg", "empty.png"}  # the image without boxes is kept
    for path, expected in boxes.items():
        image = got[path.name]
        assert [b.label for b in image.boxes] == [b.label for b in expected]
        for mine, theirs in zip(image.boxes, expected, strict=True):
            assert max(abs(x - y) for x, y in zip(mine.box, theirs.box, strict=True)) < 0.05


def test_bad_yolo_labels_are_named_with_their_file_and_the_rest_is_read(tmp_path: Path) -> None:
    broken = _images(tmp_path, ["good.png", "plain.png", "broken.png"])[2]
    broken.write_bytes(broken.read_bytes()[:60])  # truncated
    (tmp_path / "data.yaml").write_text("names:\n  0: cat\n  1: dog\n", encoding="utf-8")
    labels = tmp_path / "labels"
    labels.mkdir()
    (labels / "good.txt").write_text(
        "0 0.5 0.5 0.2 0.4\n"  # fine
        "7 0.5 0.5 0.2 0.2\n"  # unknown class id
        "1 0.5 0.5 -0.2 0.2\n"  # swapped corners (negative width)
        "1 0.5 0.5 0.001 0.2\n"  # under a pixel wide
        "1 3.0 3.0 0.2 0.2\n"  # outside the image
        "1 nonsense\n"
        "1 0.95 0.5 0.2 0.2\n",  # half outside: clipped
        encoding="utf-8",
    )
    (labels / "ghost.txt").write_text("0 0.5 0.5 0.1 0.1\n", encoding="utf-8")
    data = read_dataset(tmp_path)
    reasons = {(Path(s.path.split(":")[0]).name, s.reason.split(":")[-1].split("(")[0].strip())
               for s in data.skipped}  # fmt: skip
    assert ("good.txt", "class id 7 is not in the 2 classes") in reasons
    assert ("good.txt", "its corners are swapped") in reasons
    assert ("good.txt", "it has no area") in reasons
    assert ("good.txt", "it lies outside the 200x100 image") in reasons
    assert ("good.txt", "not 'class cx cy w h'") in reasons
    assert ("ghost.txt", "labels for an image that is not there") in reasons
    assert any(s.path == str(broken) for s in data.skipped)
    images = {Path(im.path).name: im for im in data.images}
    assert set(images) == {"good.png", "plain.png"} and images["plain.png"].boxes == ()
    kept = images["good.png"].boxes
    assert [b.label for b in kept] == ["cat", "dog"] and kept[1].box[2] == 200  # clipped
    assert all(":" in s.path for s in data.skipped if s.path.endswith(tuple("0123456789")))


def test_a_coco_file_that_is_not_json_is_named_and_a_missing_image_too(tmp_path: Path) -> None:
    _images(tmp_path, ["a.png"])
    (tmp_path / "broken.json").write_text('{"images": [1, 2', encoding="utf-8")
    document = {
        "images": [{"id": 1, "file_name": "a.png", "width": 200, "height": 100},
                   {"id": 2, "file_name": "gone.png", "width": 200, "height": 100}],
        "annotations": [{"id": 1, "image_id": 1, "category_id": 1, "bbox": [10, 10, 50, 50]},
                        {"id": 2, "image_id": 9, "category_id": 1, "bbox": [10, 10, 50, 50]},
                        {"id": 3, "image_id": 1, "category_id": 5, "bbox": [10, 10, 50, 50]}],
        "categories": [{"id": 1, "name": "cat"}],
    }  # fmt: skip
    (tmp_path / "good.json").write_text(json.dumps(document), encoding="utf-8")
    data = read_dataset(tmp_path)
    by_file = {(Path(s.path).name, s.reason.split(" (")[0]) for s in data.skipped}
    assert ("broken.json", "not a COCO JSON file") in by_file
    assert ("gone.png", "labels for an image that is not there") in by_file
    assert ("good.json", "a box for image id 9, which the file does not list") in by_file
    assert ("a.png", "a box left out: unknown category id 5") in by_file
    assert [len(im.boxes) for im in data.images] == [1]


def test_a_folder_without_boxes_says_what_it_looks_for(tmp_path: Path) -> None:
    _images(tmp_path, ["a.png"])
    with pytest.raises(FmError, match=r"COCO \.json"):
        read_dataset(tmp_path)
    with pytest.raises(FmError, match="not a folder"):
        read_dataset(tmp_path / "missing")


def test_voc_reads_annotations_beside_jpegimages(tmp_path: Path) -> None:
    (tmp_path / "JPEGImages").mkdir()
    (tmp_path / "Annotations").mkdir()
    Image.new("RGB", (100, 80)).save(tmp_path / "JPEGImages" / "x.jpg")
    (tmp_path / "Annotations" / "x.xml").write_text(
        "<annotation><filename>x.jpg</filename><object><name>bird</name><bndbox><xmin>5</xmin>"
        "<ymin>6</ymin><xmax>50</xmax><ymax>60</ymax></bndbox></object><object><name>bird"
        "</name></object></annotation>",
        encoding="utf-8",
    )
    (tmp_path / "Annotations" / "bad.xml").write_text("<annotation>", encoding="utf-8")
    data = read_dataset(tmp_path)
    assert data.classes == ["bird"] and data.images[0].boxes[0].box == (5, 6, 50, 60)
    assert {s.reason.split(" (")[0] for s in data.skipped} == {
        "a box left out: no name or bndbox",
        "not a Pascal VOC XML file",
    }
