"""What a training run is asked to do (`TrainSpec`), and how `auto` picks its mode.

Defaults are chosen so that a user who changes nothing gets a good model: `auto` mode picks
full fine-tuning where it finishes in minutes and a frozen-backbone head otherwise, and the
learning rate and epoch count follow the mode.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from typing import Any

from fmstudio.core.catalog import is_frozen
from fmstudio.core.errors import FmError
from fmstudio.core.modalities import TRAINABLE, VAL_SPLIT, modality

MODES = ("auto", "head", "full")

# Up to this many training examples, full fine-tuning on a CPU finishes in a few minutes
# (measured on 2 cores: EfficientNet-Lite0 ~13 images/s, MiniLM-L6 ~22 short texts/s).
CPU_FULL_LIMIT = {"image": 600, "text": 1500}
FULL_ONLY = frozenset({"speech"})
"""Tasks with no head to train alone: a transcriber learns in its decoder and encoder."""

DEFAULT_EPOCHS = {"head": 60, "full": 8}
DEFAULT_PATIENCE = {"head": 10, "full": 3}
DEFAULT_LR = {
    ("image", "head"): 3e-3,
    ("text", "head"): 3e-3,
    ("image", "full"): 3e-4,
    ("text", "full"): 1e-4,
    ("speech", "full"): 5e-5,
}
TASK_BATCH = {"speech": 8}
"""Training batch sizes where a task's default differs from `TrainSpec.batch_size`."""
TASK_EPOCHS = {"speech": 3}
"""Measured with one espeak voice: on 150 clips the validation WER was lowest after epoch 2
(epochs 3 and 4 did not help); on 19 clips 3 epochs and 12 (stopped early at 6) gave the same
held-out WER (0.108, 0.110)."""
DEFAULT_PATIENCE_BY_TASK = {"speech": 1}
"""Whisper on a voice stops improving abruptly: one epoch without a better WER ends the run
(never before half the epochs)."""


@dataclass(frozen=True)
class TrainSpec:
    """Every choice of a run; saved into model.json so a model says how it was made."""

    task: str
    data: str
    output: str
    base: str | None = None
    mode: str = "auto"
    epochs: int | None = None
    batch_size: int = 16
    lr: float | None = None
    val_split: float = VAL_SPLIT
    seed: int = 0
    device: str = "auto"
    augment: bool = True
    early_stopping: int | None = None
    weight_decay: float = 0.01
    warmup: float = 0.1
    text_column: str | None = None
    label_column: str = "label"

    def __post_init__(self) -> None:
        if self.task not in TRAINABLE:
            raise ValueError(
                f"{modality(self.task).title} models cannot be fine-tuned yet; "
                f"choose one of {', '.join(TRAINABLE)}"
            )
        if self.mode not in MODES:
            raise ValueError(f"unknown mode {self.mode!r}; choose one of {', '.join(MODES)}")
        if self.task in FULL_ONLY and self.mode == "head":
            raise ValueError(f"{self.task} models train in full mode only (there is no head)")
        if not 0 <= self.val_split < 1:
            raise ValueError("the validation split must be at least 0 and below 1")

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    def resolved(self, mode: str) -> TrainSpec:
        """The spec with the chosen mode and its default epochs and learning rate filled in."""
        epochs = self.epochs or TASK_EPOCHS.get(self.task) or DEFAULT_EPOCHS[mode]
        lr = self.lr or DEFAULT_LR[(self.task, mode)]
        patience = self.early_stopping
        if patience is None:
            patience = DEFAULT_PATIENCE_BY_TASK.get(self.task, DEFAULT_PATIENCE[mode])
        return replace(self, mode=mode, epochs=epochs, lr=lr, early_stopping=patience)


def default_batch(task: str) -> int:
    return TASK_BATCH.get(task, TrainSpec.batch_size)


def auto_policy(task: str, n_train: int) -> str:
    """What `auto` will do with this many training examples, in the user's words."""
    if task in FULL_ONLY:
        return (
            f"You have {n_train} training clips. The whole model is fine-tuned, for "
            f"{TASK_EPOCHS[task]} epochs by default, stopping early when the validation WER "
            "stops improving."
        )
    limit = CPU_FULL_LIMIT[task]
    return (
        f"You have {n_train} training examples. Auto fine-tunes the whole network on a GPU, "
        f"or on the CPU up to {limit} examples; otherwise it trains a head on frozen features."
    )


def choose_mode(spec: TrainSpec, n_train: int, device: str) -> tuple[str, str]:
    """The mode for `auto`, and why, in words the user sees."""
    if spec.base and is_frozen(spec.base, spec.task):
        if spec.mode == "full":
            raise FmError(
                f"{spec.base} cannot be fine-tuned as a whole (it is not a torch model); "
                "use head mode, which trains a classifier on its embeddings"
            )
        return "head", f"head mode: {spec.base} is a frozen encoder, so a head learns on it"
    if spec.mode != "auto":
        return spec.mode, f"{spec.mode} mode, as asked"
    if spec.task in FULL_ONLY:
        return "full", f"full fine-tuning ({spec.task} models have no head to train alone)"
    if device != "cpu":
        return "full", f"auto chose full fine-tuning: a {device} device is available"
    limit = CPU_FULL_LIMIT[spec.task]
    if n_train <= limit:
        return "full", (
            f"auto chose full fine-tuning: {n_train} training examples on the CPU "
            f"(up to {limit} finish in minutes)"
        )
    return "head", (
        f"auto chose head mode (frozen backbone): {n_train} training examples are too many "
        f"to fine-tune the whole model quickly on the CPU (limit {limit}); use --mode full to "
        "fine-tune anyway"
    )
