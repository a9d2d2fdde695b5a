"""Speech fine-tuning: Whisper as the third `Finetuner`, and the objective that trains it.

Each clip is read once into its log-mel features (float16, as faster-whisper computes them)
and the token ids of its transcript. The loop then minimises the decoder's cross-entropy
with teacher forcing; validation decodes greedily and scores WER, which picks the epoch.
"""

from __future__ import annotations

from collections.abc import Generator, Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn
from torch.utils.data import Dataset

from fmstudio.core.events import CancelToken, EtaTracker, Event
from fmstudio.core.speech.clips import Clip, clip_audio
from fmstudio.core.speech.scoring import score
from fmstudio.core.speech.whisper_torch import (
    Trainable,
    WhisperTokens,
    greedy_decode,
    load_trainable,
    log_mel,
    save_for_faster_whisper,
)
from fmstudio.core.train.objectives import Decider, Validation

IGNORE = -100
"""Target positions the loss skips: padding, and the prompt the model is given."""

WIDTH_STEP = 16
"""Decoder inputs are padded to a multiple of this: CPU kernels are prepared once per shape,
and with every length its own shape the first epoch ran at two thirds of the speed."""

Example = tuple[np.ndarray, list[int]]


WER = Decider("wer")
"""The held-out word error rate, not the loss, picks a transcriber's best epoch."""


class ClipSamples(Dataset):
    """Features and full token sequences (prompt, transcript, end) of each clip."""

    def __init__(self, examples: Sequence[Example]) -> None:
        self.examples = list(examples)

    def __len__(self) -> int:
        return len(self.examples)

    def __getitem__(self, index: int) -> Example:
        return self.examples[index]


class SpeechFinetuner:
    """A Whisper model trained end to end on clips with transcripts."""

    def __init__(self, base: str, classes: list[str], device: str, mode: str = "full") -> None:
        self.base, self.device = base, device
        self.model: Any
        self.whisper: Trainable

    def load(self) -> None:
        from fmstudio.core.hub import quiet_transformers

        quiet_transformers()
        self.whisper = load_trainable(self.base)
        self.model = self.whisper.model.to(self.device)

    @property
    def tokens(self) -> WhisperTokens:
        return self.whisper.tokens

    def token_ids(self, text: str) -> list[int]:
        """prompt + the transcript's tokens (with Whisper's leading space) + end of text."""
        ids = self.whisper.tokenizer.encode(" " + text.strip(), add_special_tokens=False)
        limit = self.model.config.max_target_positions - len(self.whisper.prompt) - 1
        return [*self.whisper.prompt, *ids[:limit], self.tokens.eot]

    def prepare(
        self, samples: Sequence[Clip], cancel: CancelToken, what: str
    ) -> Generator[Event, None, list[Example]]:
        """Each clip's features and token ids (the scan has already checked every clip)."""
        examples: list[Example] = []
        tracker = EtaTracker(len(samples))
        mels = self.model.config.num_mel_bins
        for clip in samples:
            cancel.raise_if_cancelled()
            examples.append((log_mel(clip_audio(clip), mels), self.token_ids(clip.text)))
            yield tracker.progress(len(examples), f"reading {what} clips")
        return examples

    def dataset(self, inputs: Sequence[Example], targets: Sequence[int], train: bool) -> Dataset:
        return ClipSamples(inputs)

    def collate(self, items: list[Example]) -> tuple[dict[str, torch.Tensor], torch.Tensor]:
        """Features stacked; decoder inputs padded with end-of-text, targets with IGNORE."""
        width = -(-(max(len(ids) for _, ids in items) - 1) // WIDTH_STEP) * WIDTH_STEP
        inputs = torch.full((len(items), width), self.tokens.eot, dtype=torch.long)
        targets = torch.full((len(items), width), IGNORE, dtype=torch.long)
        prompt = len(self.whisper.prompt)
        for row, (_, ids) in enumerate(items):
            seq = torch.tensor(ids)
            inputs[row, : len(ids) - 1] = seq[:-1]
            targets[row, : len(ids) - 1] = seq[1:]
            targets[row, : prompt - 1] = IGNORE  # the rest of the prompt is given, not learnt
        features = torch.from_numpy(np.stack([f for f, _ in items])).float()
        return {"input_features": features, "decoder_input_ids": inputs}, targets

    def objective(self) -> Transcription:
        return Transcription(self.whisper)

    def save(self, folder: Path) -> None:
        self.model.cpu().eval()
        save_for_faster_whisper(self.whisper, folder)


class Transcription:
    """Teacher-forced cross-entropy; validation also decodes greedily and scores WER."""

    def __init__(self, whisper: Trainable) -> None:
        self.whisper = whisper

    def loss(
        self, model: nn.Module, inputs: Any, targets: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor]:
        logits = model(**inputs).logits.float()
        loss = nn.functional.cross_entropy(
            logits.flatten(0, 1), targets.flatten(), ignore_index=IGNORE
        )
        return loss, _token_accuracy(logits, targets)

    @torch.no_grad()
    def validate(
        self, model: nn.Module, batches: Iterable[tuple[Any, torch.Tensor]], cancel: CancelToken
    ) -> Validation:
        loss_sum, tokens, right = 0.0, 0, 0.0
        references: list[str] = []
        hypotheses: list[str] = []
        for inputs, targets in batches:
            cancel.raise_if_cancelled()
            logits = model(**inputs).logits.float()
            loss_sum += nn.functional.cross_entropy(
                logits.flatten(0, 1), targets.flatten(), ignore_index=IGNORE, reduction="sum"
            ).item()
            tokens += int((targets != IGNORE).sum())
            right += float(_token_accuracy(logits, targets))
            references += [self._text(row[row != IGNORE].tolist()) for row in targets]
            # A model that loops (early in training) stops at twice the longest reference.
            longest = int((targets != IGNORE).sum(1).max())
            decoded = greedy_decode(
                model,
                inputs["input_features"],
                self.whisper.tokens,
                self.whisper.prompt,
                max_new=2 * longest + 8,
            )
            hypotheses += [self._text(ids) for ids in decoded]
        if not references:
            return Validation(0.0, 0.0)
        scores = score([""] * len(references), references, hypotheses)
        loss = loss_sum / max(tokens, 1)
        return Validation(
            loss,
            right / len(references),
            metrics={"wer": scores.wer},
            weights={"wer": scores.words},
            decides=WER,
        )

    def _text(self, ids: list[int]) -> str:
        return str(self.whisper.tokenizer.decode(ids, skip_special_tokens=True)).strip()


def _token_accuracy(logits: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """The sum over examples of each one's share of target tokens predicted right."""
    mask = targets != IGNORE
    hits = ((logits.argmax(-1) == targets) & mask).sum(1).float()
    return (hits / mask.sum(1).clamp(min=1)).sum()
