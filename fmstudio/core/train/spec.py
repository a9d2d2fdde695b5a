"""What a training run is asked to do (`TrainSpec`), and how `auto` picks its mode.

Defaults are chosen so that a user who changes nothing gets a good model: `auto` mode picks
full fine-tuning where it finishes in minutes and a frozen-backbone head otherwise, and the
learning rate and epoch count follow the mode.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from typing import Any

from fmstudio.core.catalog import is_frozen
from fmstudio.core.data.split import VAL_SPLIT
from fmstudio.core.errors import FmError
from fmstudio.core.modalities import modality, trainable_tasks

MODES = ("auto", "head", "full")


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
    keep_validation: tuple[str, ...] = ()
    """Files (relative to `data`) that must be the validation set: a retrain is measured on
    the files its predecessor was. Not in `to_json`: the card lists them as
    `dataset.val_files`."""

    def __post_init__(self) -> None:
        if self.task not in trainable_tasks():
            raise ValueError(
                f"{modality(self.task).title} models cannot be fine-tuned yet; "
                f"choose one of {', '.join(trainable_tasks())}"
            )
        if self.mode not in MODES:
            raise ValueError(f"unknown mode {self.mode!r}; choose one of {', '.join(MODES)}")
        defaults = modality(self.task).defaults()
        if self.mode != "auto" and self.mode not in defaults.modes:
            raise ValueError(
                f"{self.task} models train in {' or '.join(defaults.modes)} mode only"
                + ("" if defaults.trains_head else " (there is no head)")
            )
        if not 0 <= self.val_split < 1:
            raise ValueError("the validation split must be at least 0 and below 1")

    def to_json(self) -> dict[str, Any]:
        out = asdict(self)
        del out["keep_validation"]
        return out

    def resolved(self, mode: str) -> TrainSpec:
        """The spec with the chosen mode and its default epochs and learning rate filled in."""
        defaults = modality(self.task).defaults()
        epochs = self.epochs or defaults.epochs[mode]
        lr = self.lr or defaults.lr[mode]
        patience = defaults.patience[mode] if self.early_stopping is None else self.early_stopping
        return replace(self, mode=mode, epochs=epochs, lr=lr, early_stopping=patience)


def defaults_help(what: str) -> str:
    """One training default of every task, for help texts and tooltips:
    `text 60 head, 8 full; image 60 head, 8 full; speech 3 full`."""
    parts = []
    for task in trainable_tasks():
        values: dict[str, int] = getattr(modality(task).defaults(), what)
        parts.append(f"{task} " + ", ".join(f"{n} {mode}" for mode, n in values.items()))
    return "; ".join(parts)


def default_batch(task: str) -> int:
    return modality(task).defaults().batch


def auto_policy(task: str, n_train: int) -> str:
    """What `auto` will do with this many training examples, in the user's words."""
    row = modality(task)
    defaults = row.defaults()
    if not defaults.trains_head:
        return (
            f"You have {row.count(n_train)} to train on. The whole model is fine-tuned, for "
            f"{defaults.epochs['full']} epochs by default, stopping early when the validation "
            f"{row.family.card_metrics[0].upper()} stops improving."
        )
    limit = defaults.cpu_full_limit
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
    if not modality(spec.task).defaults().trains_head:
        return "full", f"full fine-tuning ({spec.task} models have no head to train alone)"
    if device != "cpu":
        return "full", f"auto chose full fine-tuning: a {device} device is available"
    limit = modality(spec.task).defaults().cpu_full_limit
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
