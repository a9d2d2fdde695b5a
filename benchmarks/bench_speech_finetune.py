"""Speech fine-tuning: WER before and after, training time, and throughput against a plain loop.

Data: plain English sentences from the standard library's docstrings (benchmarks/_datasets.py:
varied technical prose, so held-out sentences hold words never trained on), spoken by one
espeak-ng voice. fmstudio trains on `--train` clips (its default split holds a fifth of them out for
choosing the epoch) with its defaults, and both the bundled tiny.en and the saved model are
scored on `--test` *different* sentences through faster-whisper, as the Speech tab runs them.

Throughput: a plain transformers loop (features as the fine-tune job computes them, AdamW,
`model(input_features, labels)`, backward, step) on the same training clips, batch size and
starting weights, for one epoch after a warm-up of a few steps, against the samples/s of
fmstudio's own epochs. The saved model's transcription speed is compared with the bundled
model's on the test clips. Prints samples/s of each and the ratio (fmstudio / plain) last.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import report
from _datasets import docstring_sentences, espeak_clips

from fmstudio.core.data.clips import scan_clips
from fmstudio.core.events import CancelToken, Log, run_to_end
from fmstudio.core.speech.evaluate import score_model
from fmstudio.core.speech.finetune import SpeechFinetuner
from fmstudio.core.speech.models import bundled_folder, load_whisper
from fmstudio.core.speech.train_job import fine_tune_speech
from fmstudio.core.train.events import EpochMetrics
from fmstudio.core.train.spec import TrainSpec, default_batch


def make_data(root: Path, n_train: int, n_test: int) -> tuple[Path, Path]:
    sentences = docstring_sentences(n_train + n_test, seed=0)
    train = espeak_clips(root / "train", sentences[:n_train])
    test = espeak_clips(root / "test", sentences[n_train:])
    return train, test


def timed_scores(folders: dict[str, Path], test: Path, repeats: int = 3) -> dict[str, tuple]:
    """Per model: (WER, median seconds to transcribe the test clips), faster-whisper int8 on
    the CPU; the models take turns so that a noisy moment hits both."""
    clips = scan_clips(test, val_split=0.0).clips
    models = {name: load_whisper(str(folder), name) for name, folder in folders.items()}
    times: dict[str, list[float]] = {name: [] for name in models}
    wer: dict[str, float] = {}
    for model in models.values():
        run_to_end(score_model(model, clips[:3], CancelToken()))  # warm-up
    for _ in range(repeats):
        for name, model in models.items():
            start = time.perf_counter()
            wer[name] = run_to_end(score_model(model, clips, CancelToken())).wer
            times[name].append(time.perf_counter() - start)
    return {name: (wer[name], statistics.median(times[name])) for name in models}


def plain_loop(train: Path, batch: int, warmup_steps: int = 3, min_steps: int = 12) -> float:
    """Samples/s of a hand-written transformers loop over one epoch of the training clips
    (repeated up to `min_steps` timed steps for a small set)."""
    report_ = scan_clips(train, val_split=0.0)
    tuner = SpeechFinetuner("whisper-tiny.en", [], "cpu")
    tuner.load()
    examples = run_to_end(tuner.prepare(report_.train, CancelToken(), "training"))
    model = tuner.model.train()
    optimizer = torch.optim.AdamW(model.parameters(), lr=5e-5)
    order = list(range(len(examples)))
    random.Random(0).shuffle(order)
    batches = [order[i : i + batch] for i in range(0, len(order), batch)]
    while len(batches) < warmup_steps + min_steps:
        batches += batches
    seen, start = 0, 0.0
    for step, picked in enumerate(batches):
        if step == warmup_steps:
            seen, start = 0, time.perf_counter()
        inputs, targets = tuner.collate([examples[i] for i in picked])
        loss = model(
            input_features=inputs["input_features"],
            decoder_input_ids=inputs["decoder_input_ids"],
            labels=targets,
        ).loss
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        seen += len(picked)
    return seen / (time.perf_counter() - start)


def freeze_lower_encoder(layers: int) -> None:
    """Measurement of a variant: the encoder's stem and lower layers stay as pretrained."""
    load = SpeechFinetuner.load

    def frozen_load(self: SpeechFinetuner) -> None:
        load(self)
        encoder = self.model.model.encoder
        for module in (encoder.conv1, encoder.conv2, *encoder.layers[:layers]):
            module.requires_grad_(False)

    SpeechFinetuner.load = frozen_load  # type: ignore[method-assign]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--train", type=int, default=188, help="clips given to fmstudio")
    parser.add_argument("--test", type=int, default=40, help="held-out sentences")
    parser.add_argument("--epochs", type=int, help="default: fmstudio's own")
    parser.add_argument(
        "--freeze",
        type=int,
        default=0,
        help="measure only: also freeze the convolutions and this many lower encoder layers",
    )
    args = parser.parse_args()
    if args.freeze:
        freeze_lower_encoder(args.freeze)
    torch.set_num_threads(torch.get_num_threads())
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        train, test = make_data(root / "data", args.train, args.test)
        spec = TrainSpec("speech", str(train), str(root / "model"), epochs=args.epochs)
        epochs: list[EpochMetrics] = []

        def on_event(event: object) -> None:
            if isinstance(event, EpochMetrics):
                epochs.append(event)
                print(event.summary(), flush=True)
            elif isinstance(event, Log):
                print(f"  {event.message}", flush=True)

        start = time.perf_counter()
        result = run_to_end(fine_tune_speech(spec), on_event)
        train_s = time.perf_counter() - start
        n_train = len(scan_clips(train).train)
        ours = statistics.median(n_train / e.seconds for e in epochs)
        scored = timed_scores({"bundled": bundled_folder(), "tuned": result.folder}, test)
        (base_wer, base_s), (tuned_wer, tuned_s) = scored["bundled"], scored["tuned"]
        plain = plain_loop(train, default_batch("speech"))
    print(f"training clips: {n_train}, held-out test sentences: {args.test}")
    print(
        f"held-out WER: bundled {base_wer:.3f} -> fine-tuned {tuned_wer:.3f} "
        f"({tuned_wer / max(base_wer, 1e-9):.2f} of the base)"
    )
    print(f"fmstudio training, whole job: {train_s / 60:.1f} min ({len(epochs)} epochs)")
    print(
        f"transcription of the test clips (median of 3): bundled {base_s:.1f} s, "
        f"fine-tuned {tuned_s:.1f} s (speed ratio {base_s / tuned_s:.2f})"
    )
    report(
        "fmstudio loop",
        ours,
        "plain transformers loop",
        plain,
        "samples/s",
        "training throughput, fmstudio / plain",
    )


if __name__ == "__main__":
    main()
