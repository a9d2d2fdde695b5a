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

from fmstudio.core.events import CancelToken, Log, run_to_end
from fmstudio.core.speech.clips import scan_clips
from fmstudio.core.speech.evaluate import score_model
from fmstudio.core.speech.finetune import SpeechFinetuner
from fmstudio.core.speech.models import bundled_folder, load_whisper
from fmstudio.core.speech.train_job import fine_tune_speech
from fmstudio.core.train.events import EpochMetrics
from fmstudio.core.train.loop import LoopConfig, fit
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


def _plain_epoch(tuner: SpeechFinetuner, examples: list, batch: int, seed: int) -> float:
    """One epoch of a hand-written transformers loop; its samples/s."""
    model = tuner.model.train()
    optimizer = torch.optim.AdamW(model.parameters(), lr=5e-5)
    order = list(range(len(examples)))
    random.Random(seed).shuffle(order)
    start = time.perf_counter()
    for i in range(0, len(order), batch):
        inputs, targets = tuner.collate([examples[k] for k in order[i : i + batch]])
        loss = model(
            input_features=inputs["input_features"],
            decoder_input_ids=inputs["decoder_input_ids"],
            labels=targets,
        ).loss
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return len(order) / (time.perf_counter() - start)


def _fmstudio_epoch(tuner: SpeechFinetuner, examples: list, batch: int) -> float:
    """One epoch of fmstudio's loop (`fit`, no validation); its samples/s."""
    config = LoopConfig(phase="full", epochs=1, batch_size=batch, lr=5e-5, device="cpu")
    job = fit(
        tuner.model,
        tuner.dataset(examples, [], True),
        None,
        config,
        objective=tuner.objective(),
        collate=tuner.collate,
    )
    epochs: list[EpochMetrics] = []
    run_to_end(job, lambda e: epochs.append(e) if isinstance(e, EpochMetrics) else None)
    return len(examples) / epochs[0].seconds


def throughput(train: Path, batch: int, clips: int, rounds: int) -> tuple[float, float]:
    """Median samples/s of both loops on the same clips, taking turns after a warm-up epoch
    of each, so that the machine's slow and fast moments hit both."""
    tuner = SpeechFinetuner("whisper-tiny.en", [], "cpu")
    tuner.load()
    chosen = scan_clips(train, val_split=0.0).clips[:clips]
    examples = run_to_end(tuner.prepare(chosen, CancelToken(), "training"))
    _plain_epoch(tuner, examples, batch, 0)
    _fmstudio_epoch(tuner, examples, batch)
    ours, plain = [], []
    for round_ in range(rounds):
        ours.append(_fmstudio_epoch(tuner, examples, batch))
        plain.append(_plain_epoch(tuner, examples, batch, round_))
    return statistics.median(ours), statistics.median(plain)


def freeze_lower_encoder(layers: int) -> None:
    """Measurement of a variant: the encoder's stem and lower layers stay as pretrained."""
    load = SpeechFinetuner.load

    def frozen_load(self: SpeechFinetuner) -> None:
        load(self)
        encoder = self.model.model.encoder
        for module in (encoder.conv1, encoder.conv2, *encoder.layers[:layers]):
            module.requires_grad_(False)

    SpeechFinetuner.load = frozen_load  # type: ignore[method-assign]


def fine_tune_and_score(train: Path, test: Path, output: Path, epochs: int | None) -> None:
    """The whole job with fmstudio's defaults, then both models on the held-out sentences."""

    def on_event(event: object) -> None:
        if isinstance(event, EpochMetrics):
            print(event.summary(), flush=True)
        elif isinstance(event, Log):
            print(f"  {event.message}", flush=True)

    start = time.perf_counter()
    spec = TrainSpec("speech", str(train), str(output), epochs=epochs)
    result = run_to_end(fine_tune_speech(spec), on_event)
    minutes = (time.perf_counter() - start) / 60
    scored = timed_scores({"bundled": bundled_folder(), "tuned": result.folder}, test)
    (base_wer, base_s), (tuned_wer, tuned_s) = scored["bundled"], scored["tuned"]
    print(
        f"training clips: {len(scan_clips(train).train)}, held-out test sentences: "
        f"{len(scan_clips(test, val_split=0.0).clips)}"
    )
    print(
        f"held-out WER: bundled {base_wer:.3f} -> fine-tuned {tuned_wer:.3f} "
        f"({tuned_wer / max(base_wer, 1e-9):.2f} of the base)"
    )
    print(f"fmstudio training, whole job: {minutes:.1f} min ({len(result.history)} epochs)")
    print(
        f"transcription of the test clips (median of 3): bundled {base_s:.1f} s, "
        f"fine-tuned {tuned_s:.1f} s (speed ratio {base_s / tuned_s:.2f})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--train", type=int, default=188, help="clips given to fmstudio")
    parser.add_argument("--test", type=int, default=40, help="held-out sentences")
    parser.add_argument("--epochs", type=int, help="default: fmstudio's own")
    parser.add_argument("--throughput-clips", type=int, default=48)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--throughput-only", action="store_true", help="skip the fine-tune job and WER"
    )
    parser.add_argument(
        "--freeze",
        type=int,
        default=0,
        help="measure only: also freeze the convolutions and this many lower encoder layers",
    )
    args = parser.parse_args()
    if args.freeze:
        freeze_lower_encoder(args.freeze)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        train, test = make_data(root / "data", args.train, args.test)
        if not args.throughput_only:
            fine_tune_and_score(train, test, root / "model", args.epochs)
        batch = default_batch("speech")
        ours, plain = throughput(train, batch, args.throughput_clips, args.rounds)
    print(
        f"throughput: {args.throughput_clips} clips, batch {batch}, median of {args.rounds} "
        "alternating epochs after a warm-up epoch of each"
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
