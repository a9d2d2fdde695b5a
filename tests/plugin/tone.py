"""A tone classifier: the whole package of a task that fmstudio does not ship.

It holds what a task package holds (`docs/architecture.md`, "Adding a task"): a request, the
try-it job, `load` for the catalogue, a `Finetuner` and the table row. Its "pretrained" base
is a tiny network the test builds: log energies in 16 frequency bands, a trainable
projection, and a linear head. Nothing here is imported by fmstudio; fmstudio reaches it
through the row alone.
"""

from __future__ import annotations

import io
import json
import wave
from collections.abc import Generator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from safetensors.torch import load_file, save_file
from torch import nn
from torch.utils.data import Dataset, TensorDataset, default_collate

from fmstudio.core import loading
from fmstudio.core.classify.results import ItemResult, rank
from fmstudio.core.errors import InputFileError
from fmstudio.core.events import CancelToken, Event, Log, Partial, Progress
from fmstudio.core.modalities import Modality, TrainingDefaults

BANDS = 16
HIDDEN = 8
RATE = 16_000


def band_energies(samples: np.ndarray) -> torch.Tensor:
    """The share of the energy below each of `BANDS` equal steps up to 4 kHz (a cumulative
    spectrum, so a tone between two seen ones lands between them): what the base sees."""
    spectrum = np.abs(np.fft.rfft(samples[:RATE], n=RATE))[: RATE // 4]
    bands = spectrum.reshape(BANDS, -1).sum(axis=1)
    shares = np.cumsum(bands) / max(float(bands.sum()), 1e-9)
    return torch.tensor(shares, dtype=torch.float32)


def read_wav(path: str | Path, data: bytes | None = None) -> np.ndarray:
    """A 16-bit mono WAV's samples; anything else is an `InputFileError` naming the reason."""
    try:
        with wave.open(io.BytesIO(data) if data is not None else str(path), "rb") as w:
            if w.getsampwidth() != 2 or w.getnchannels() != 1:
                raise InputFileError(str(path), "not 16-bit mono audio")
            frames = w.readframes(w.getnframes())
    except (wave.Error, EOFError) as exc:
        raise InputFileError(str(path), f"not a WAV file ({exc})") from exc
    return np.frombuffer(frames, "<i2").astype(np.float32) / 32768


def read_example(path: Path, data: bytes) -> None:
    """The row's `read_example`: a class file must decode; tones carry no text."""
    read_wav(path, data)


class ToneNet(nn.Module):
    def __init__(self, classes: int) -> None:
        super().__init__()
        self.backbone = nn.Sequential(nn.Linear(BANDS, HIDDEN), nn.Tanh())
        self.head = nn.Linear(HIDDEN, classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.backbone(x))


def build_base(folder: Path) -> Path:
    """The "pretrained" base: a projection with fixed random weights and no classes yet."""
    folder.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(0)
    save_file(ToneNet(1).backbone.state_dict(), str(folder / "backbone.safetensors"))
    return folder


@dataclass
class ToneClassifier:
    """What `load` gives the catalogue: the trained network and its classes."""

    name: str
    net: ToneNet
    labels: list[str]


def load(entry: Any, device: str = "cpu") -> ToneClassifier:
    """The row's `models` module: load a saved tone classifier from its library folder."""
    folder = Path(entry.location)
    labels = json.loads((folder / "model.json").read_text())["classes"]
    net = ToneNet(len(labels))
    net.load_state_dict(load_file(str(folder / "model.safetensors")))
    return ToneClassifier(entry.name, net.eval(), labels)


@dataclass(frozen=True)
class ClassifyTones:
    paths: tuple[str, ...]
    model: Any = ""
    top_k: int = 5
    batch_size: int = 8
    device: str = "cpu"


def for_examples(
    samples: Sequence[Any], model: Any, batch_size: int | None, thumbnail_size: int
) -> ClassifyTones:
    return ClassifyTones(tuple(s.path for s in samples), model, 1, batch_size or 8)


def classify_tones(
    request: ClassifyTones, *, cancel: CancelToken | None = None
) -> Generator[Event, None, list[ItemResult]]:
    """The row's try-it job: rank the classes for each WAV file; a bad file is an error row."""

    cancel = cancel or CancelToken()
    model = request.model
    if isinstance(model, str):
        model = loading.cached_load(model, TONE.task, "cpu", cancel)
    results = []
    for i, path in enumerate(request.paths):
        cancel.raise_if_cancelled()
        try:
            with torch.no_grad():
                logits = model.net(band_energies(read_wav(path))[None])
            ranked = rank(torch.softmax(logits, -1), model.labels, request.top_k)[0]
            result = ItemResult(path, ranked)
        except InputFileError as exc:
            result = ItemResult(path, error=str(exc))
        results.append(result)
        yield Partial((result,))
        yield Progress((i + 1) / len(request.paths), path, i + 1, len(request.paths))
    return results


class ToneFinetuner:
    """The row's `finetuner`: a `ClassifierFinetuner` (head mode trains on the backbone's
    features; full mode trains the projection too)."""

    augments = False

    def __init__(self, base: str, classes: list[str], device: str, mode: str = "full") -> None:
        self.base, self.classes, self.device = Path(base), classes, device

    def load(self) -> None:
        self.model = ToneNet(len(self.classes))
        self.model.backbone.load_state_dict(load_file(str(self.base / "backbone.safetensors")))

    @property
    def head(self) -> nn.Module:
        return self.model.head

    def prepare(
        self, samples: Sequence[Any], cancel: CancelToken, what: str
    ) -> Generator[Event, None, list[torch.Tensor]]:
        yield Log(f"Reading {len(samples)} {what} tones…")
        return [band_energies(read_wav(s.path)) for s in samples]

    def dataset(self, inputs: Sequence[Any], targets: Sequence[int], train: bool) -> Dataset:
        return TensorDataset(torch.stack(list(inputs)), torch.tensor(list(targets)))

    def collate(self, items: list[Any]) -> Any:
        return default_collate(items)

    def features(
        self, dataset: Dataset, cancel: CancelToken, what: str
    ) -> Generator[Event, None, torch.Tensor]:
        yield Log(f"Features of the {what} tones…")
        inputs = torch.stack([dataset[i][0] for i in range(len(dataset))])  # type: ignore[arg-type]
        with torch.no_grad():
            return self.model.backbone(inputs)

    def objective(self) -> None:
        """A classifier's cross-entropy, as the run configures it (class weights)."""
        return None

    def save(self, folder: Path) -> None:
        save_file(self.model.state_dict(), str(folder / "model.safetensors"))


TONE = Modality(
    task="tone",
    title="Tone",
    noun="tones",
    noun_one="tone",
    suffixes=frozenset({".wav"}),
    default_model="",
    default_batch=8,
    models="tests.plugin.tone",
    run="tests.plugin.tone:classify_tones",
    tab="",  # a headless task: no tab, no sub-command of its own
    cli="",
    weights_file="model.safetensors",
    pipeline_tag="audio-classification",
    card_library="fmstudio",
    finetuner="tests.plugin.tone:ToneFinetuner",
    training=TrainingDefaults(
        lr={"head": 3e-2, "full": 1e-2},
        epochs={"head": 40, "full": 20},
        patience={"head": 0, "full": 0},
        batch=8,
        cpu_full_limit=100,
    ),
    examples_request="tests.plugin.tone:for_examples",
    read_example="tests.plugin.tone:read_example",
    example_suffixes=frozenset({".wav"}),
)
