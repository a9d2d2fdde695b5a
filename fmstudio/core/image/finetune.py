"""Image fine-tuning: a timm backbone with a new classifier, its datasets, and timm-format saving.

Saved models are timm's own export (`save_for_hf`: model.safetensors + config.json), so plain
timm reloads them with `timm.create_model("local-dir:<folder>", pretrained=True)`.
"""

from __future__ import annotations

import json
from collections.abc import Generator, Sequence
from pathlib import Path
from typing import Any

import torch
from PIL import Image
from torch import nn
from torch.utils.data import Dataset, default_collate
from torchvision import transforms as T

from fmstudio.core import loading
from fmstudio.core.atomic import atomic_write_text
from fmstudio.core.classify.scan import Sample
from fmstudio.core.data.images import load_image
from fmstudio.core.errors import FmError
from fmstudio.core.events import CancelToken, EtaTracker, Event
from fmstudio.core.image.models import ImageClassifier, Preprocess
from fmstudio.core.image.transforms import interpolation, to_tensor
from fmstudio.core.train.features import batched_features

MEMORY_FORMAT = torch.channels_last
"""Training, feature passes and validation run channels-last: the same fp32 arithmetic, about
1.5x the samples/s of PyTorch's default layout for EfficientNet on a 2-core CPU
(benchmarks/bench_train.py); saving turns the weights back to the default layout."""

CACHE_LIMIT = 3000
"""Up to this many training images are decoded once and kept (resized) in memory; above it
they are decoded again each epoch to bound memory (about 200 kB per cached image)."""


class ImageSamples(Dataset):
    """Images and class indices; training examples get random crops, flips and colour jitter."""

    def __init__(
        self,
        images: Sequence[Path | Image.Image],
        targets: Sequence[int],
        preprocess: Preprocess,
        augment: bool,
    ) -> None:
        self.images = list(images)
        self.targets = list(targets)
        self.preprocess = preprocess
        self.augment = augment
        mode = interpolation(preprocess.interpolation)
        self._augment = T.Compose(
            [
                T.RandomResizedCrop(preprocess.crop, scale=(0.5, 1.0), interpolation=mode),
                T.RandomHorizontalFlip(),
                T.ColorJitter(0.2, 0.2, 0.2),
                T.PILToTensor(),
                T.ConvertImageDtype(torch.float),
                T.Normalize(list(preprocess.mean), list(preprocess.std)),
            ]
        )

    def __len__(self) -> int:
        return len(self.images)

    def __getitem__(self, index: int) -> tuple[torch.Tensor, int]:
        item = self.images[index]
        img = item if isinstance(item, Image.Image) else load_image(item)
        tensor = self._augment(img) if self.augment else to_tensor(img, self.preprocess)
        return tensor, self.targets[index]


class ImageFinetuner:
    """A timm backbone with a new classifier; the `Finetuner` for images."""

    augments = True

    def __init__(self, base: str, classes: list[str], device: str, mode: str = "full") -> None:
        self.base = base
        self.classes = classes
        self.device = device
        self.model: Any  # a timm model: untyped, with reset_classifier, forward_head…
        self.preprocess: Preprocess
        self.architecture = ""

    def load(self) -> None:
        loaded = loading.load(self.base, "image", "cpu")
        if not isinstance(loaded, ImageClassifier) or not hasattr(loaded.model, "reset_classifier"):
            raise FmError(f"{self.base} is not a timm model; fine-tuning needs a timm backbone")
        self.model = loaded.model
        self.preprocess = loaded.preprocess
        self.architecture = loaded.meta.get("architecture") or self.model.pretrained_cfg.get(
            "architecture", self.base
        )
        self.model.reset_classifier(len(self.classes))
        self.model.to(self.device, memory_format=MEMORY_FORMAT)

    @property
    def head(self) -> nn.Module:
        classifier: nn.Module = self.model.get_classifier()
        return classifier

    def prepare(
        self, samples: Sequence[Sample], cancel: CancelToken, what: str
    ) -> Generator[Event, None, list[Path | Image.Image]]:
        """Decode (and shrink to the resize size) every image once, when they fit in memory."""
        if len(samples) > CACHE_LIMIT:
            return [Path(s.path) for s in samples]
        out: list[Path | Image.Image] = []
        tracker = EtaTracker(len(samples))
        for i, sample in enumerate(samples, 1):
            cancel.raise_if_cancelled()
            img = load_image(sample.path)
            scale = self.preprocess.resize / min(img.size)
            if scale < 1:
                img = img.resize(
                    (max(1, round(img.width * scale)), max(1, round(img.height * scale))),
                    Image.Resampling.BICUBIC,
                )
            out.append(img)
            if i % 16 == 0 or i == len(samples):
                yield tracker.progress(i, f"reading {what} images")
        return out

    def dataset(self, images: Sequence[Any], targets: Sequence[int], train: bool) -> Dataset:
        return ImageSamples(images, targets, self.preprocess, augment=train)

    def collate(self, items: list[Any]) -> Any:
        images, targets = default_collate(items)
        return images.contiguous(memory_format=MEMORY_FORMAT), targets

    def features(
        self, dataset: Dataset, cancel: CancelToken, what: str, batch_size: int = 32
    ) -> Generator[Event, None, torch.Tensor]:
        """Pooled backbone features (the classifier's input) for every example, in order."""
        self.model.eval()

        def pooled(batch: torch.Tensor) -> torch.Tensor:
            batch = batch.to(self.device, memory_format=MEMORY_FORMAT)
            features: torch.Tensor = self.model.forward_head(
                self.model.forward_features(batch), pre_logits=True
            )
            return features

        label = f"features of {what} images"
        job = batched_features(dataset, pooled, cancel, label, batch_size, self.device)
        return (yield from job)

    def objective(self) -> None:
        """A classifier's cross-entropy, as the run configures it (class weights)."""
        return None

    def save(self, folder: Path) -> None:
        from timm.models import save_for_hf

        pre = self.preprocess
        save_for_hf(
            self.model.cpu().eval().to(memory_format=torch.contiguous_format),
            str(folder),
            model_config={
                "label_names": list(self.classes),
                "fmstudio_preprocess": pre.to_dict(),
            },
            data_config={
                "input_size": (3, pre.crop, pre.crop),
                "mean": tuple(pre.mean),
                "std": tuple(pre.std),
                "crop_pct": pre.crop / pre.resize,
                "interpolation": pre.interpolation,
            },
            safe_serialization=True,
        )
        _loadable_by_transformers(folder / "config.json")


def _loadable_by_transformers(config_path: Path) -> None:
    """transformers' timm wrapper passes `num_classes` itself and fails when timm's recorded
    `model_args` name it too ("multiple values for keyword argument"); timm reads the class
    count from the top level, so the duplicate goes."""
    config = json.loads(config_path.read_text("utf-8"))
    config.get("model_args", {}).pop("num_classes", None)
    atomic_write_text(config_path, json.dumps(config, indent=2))
