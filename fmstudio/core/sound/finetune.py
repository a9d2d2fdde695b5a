"""Sound fine-tuning: the sound-effects CNN with a new head, on windows of the user's clips.

Each clip is decoded once into the network's input (`sfx_frontend.log_mel`, kept as float16)
and every epoch a training example is one 2.3 s window of it: a long recording teaches with
all of its windows over the epochs, a short clip lands at a random place in its window.
Validation and the head's cached features use each clip's loudest window, the one the
recording's classes chiefly rest on when the classify job weighs windows by loudness.
"""

from __future__ import annotations

import random
from collections.abc import Generator, Sequence
from pathlib import Path
from typing import Any

import torch
from torch import nn
from torch.utils.data import Dataset, default_collate

from fmstudio.core.classify.scan import Sample
from fmstudio.core.data.audio import load_audio
from fmstudio.core.events import CancelToken, EtaTracker, Event, Log
from fmstudio.core.sound import classifier, sfx_cnn, sfx_frontend
from fmstudio.core.sound.augment import augmented_window
from fmstudio.core.train.features import batched_features

LONGEST_S = 600
"""Of a longer recording only the first ten minutes train (about 5 MB of input each)."""


def loudest_window(features: torch.Tensor) -> torch.Tensor:
    """The clip's window that holds the most sound (the clip itself when it is short)."""
    windows = sfx_frontend.windows(features.float())
    return windows[int(sfx_frontend.loudness(windows).argmax())]


class SoundSamples(Dataset):
    """Clips' network input and class indices; training picks a window at random and
    augments it (`augment.augmented_window`)."""

    def __init__(self, clips: Sequence[torch.Tensor], targets: Sequence[int], train: bool):
        self.clips = list(clips)
        self.targets = list(targets)
        self.train = train
        self._fixed: dict[int, torch.Tensor] = {}

    def __len__(self) -> int:
        return len(self.clips)

    def __getitem__(self, index: int) -> tuple[torch.Tensor, int]:
        if self.train:
            rng = random.Random(int(torch.randint(0, 2**31, ())))  # seeded as the run is
            return augmented_window(self.clips[index], rng), self.targets[index]
        if index not in self._fixed:
            self._fixed[index] = loudest_window(self.clips[index])
        return self._fixed[index], self.targets[index]


class SoundFinetuner:
    """The sound-effects CNN with a new linear head; the `Finetuner` for sounds."""

    augments = True

    def __init__(self, base: str, classes: list[str], device: str, mode: str = "full") -> None:
        self.base = base
        self.classes = classes
        self.device = device
        self.model: classifier.SoundNet

    def load(self) -> None:
        from fmstudio.core import catalog, loading

        if catalog.bundled_name(self.base, "sound") == sfx_cnn.NAME:
            embedding = sfx_cnn.pretrained()
        else:  # retraining a sound classifier: its tuned embedding, a head for these classes
            loaded = loading.load(self.base, "sound", "cpu")
            if not isinstance(loaded, classifier.SoundClassifier):
                raise TypeError(
                    f"{self.base} cannot be trained: start from {sfx_cnn.NAME} or a sound "
                    "classifier trained in fmstudio"
                )
            embedding = loaded.network.embedding
        self.model = classifier.SoundNet(embedding, len(self.classes)).to(self.device)

    @property
    def head(self) -> nn.Module:
        return self.model.head

    def prepare(
        self, samples: Sequence[Sample], cancel: CancelToken, what: str
    ) -> Generator[Event, None, list[torch.Tensor]]:
        """Decode every clip at 44.1 kHz into the network's input, once."""
        out: list[torch.Tensor] = []
        tracker = EtaTracker(len(samples))
        cut = 0
        for i, sample in enumerate(samples, 1):
            cancel.raise_if_cancelled()
            audio = load_audio(sample.path, sfx_frontend.SAMPLE_RATE)
            if len(audio) > LONGEST_S * sfx_frontend.SAMPLE_RATE:
                audio, cut = audio[: LONGEST_S * sfx_frontend.SAMPLE_RATE], cut + 1
            out.append(sfx_frontend.log_mel(audio).half())
            if i % 8 == 0 or i == len(samples):
                yield tracker.progress(i, f"reading {what} recordings")
        if cut:
            yield Log(
                f"{cut} {what} recordings are longer than {LONGEST_S // 60} minutes: "
                "their first ten minutes train"
            )
        return out

    def dataset(self, inputs: Sequence[Any], targets: Sequence[int], train: bool) -> Dataset:
        return SoundSamples(inputs, targets, train)

    def collate(self, items: list[Any]) -> Any:
        return default_collate(items)

    def features(
        self, dataset: Dataset, cancel: CancelToken, what: str, batch_size: int = 32
    ) -> Generator[Event, None, torch.Tensor]:
        """The embedding of every example's window (the head's input), in order."""
        self.model.eval()

        def embedded(batch: torch.Tensor) -> torch.Tensor:
            vectors: torch.Tensor = self.model.embedding(batch.to(self.device))
            return vectors

        label = f"features of {what} recordings"
        job = batched_features(dataset, embedded, cancel, label, batch_size, self.device)
        return (yield from job)

    def objective(self) -> None:
        """A classifier's cross-entropy, as the run configures it (class weights)."""
        return None

    def save(self, folder: Path) -> None:
        classifier.save(self.model.cpu().eval(), self.classes, folder)
