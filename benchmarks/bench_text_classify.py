"""Text classification throughput: fmstudio's zero-shot job against a plain transformers loop.

Both embed the same documents with the bundled MiniLM (mean pooling, batch 32); the plain loop
takes them in the given order (unsorted), as one would write it by hand. Prints documents/s of
each, the lowest cosine between the two embeddings of a document, and the ratio last.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import median_seconds, report

from fmstudio.core.data.texts import TextDoc
from fmstudio.core.events import run_to_end
from fmstudio.core.text.classify import _run_windows, classify_texts
from fmstudio.core.text.models import TextEncoder, load_bundled, speed_up
from fmstudio.core.text.requests import ClassifyTexts

WORDS = [
    *("the", "a", "market", "team", "vote", "recipe", "engine", "patient", "court", "river"),
    *("music", "storm", "price", "player", "law", "oven", "network", "doctor", "city", "school"),
    *("film", "bank", "energy", "garden", "ship", "bridge", "police", "rain", "chip", "data"),
]


def make_documents(n: int, seed: int = 0) -> list[str]:
    """Documents of very different lengths (5 to 200 words), as real folders have."""
    rng = random.Random(seed)
    return [" ".join(rng.choice(WORDS) for _ in range(rng.randint(5, 200))) + "." for _ in range(n)]


@torch.inference_mode()
def plain_loop(encoder: TextEncoder, texts: list[str], batch_size: int) -> torch.Tensor:
    out = []
    for start in range(0, len(texts), batch_size):
        batch = encoder.tokenizer(
            texts[start : start + batch_size],
            padding=True,
            truncation=True,
            max_length=encoder.max_length,
            return_tensors="pt",
        )
        hidden = encoder.model(**batch).last_hidden_state
        mask = batch["attention_mask"].unsqueeze(-1).float()
        pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
        out.append(torch.nn.functional.normalize(pooled, dim=-1))
    return torch.cat(out)


def model_paths(encoder: TextEncoder, texts: list[str]) -> None:
    """The encoder alone on each CPU path, on the same 32-document batch: documents/s and the
    lowest cosine to eager fp32 (fmstudio picks bf16 where the CPU has it natively)."""
    import tempfile

    from fmstudio.core.export import graphs
    from fmstudio.core.text.exportable import exportable

    batch = encoder.encode(texts[:32])
    item = exportable(encoder)
    path = Path(tempfile.mkdtemp()) / "minilm.onnx"
    graphs.export_onnx(item.module, item.example, item.spec, path)
    session = graphs.session(path)
    feed = {name: batch[name].numpy() for name in item.spec.inputs}

    def bf16() -> torch.Tensor:
        with torch.autocast("cpu", dtype=torch.bfloat16):
            return item.module(*(batch[n] for n in item.spec.inputs)).float()

    runs = {
        "eager fp32": lambda: item.module(*(batch[n] for n in item.spec.inputs)),
        "bf16 autocast": bf16,
        "ONNX Runtime fp32": lambda: torch.from_numpy(session.run(None, feed)[0]),
    }
    reference = None
    with torch.inference_mode():
        for name, run in runs.items():
            out = run()
            reference = out if reference is None else reference
            seconds = median_seconds(run, 3)
            cosine = float((out * reference).sum(-1).min())
            print(f"  {name}: {32 / seconds:.1f} docs/s, lowest cosine to eager {cosine:.5f}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--docs", type=int, default=512)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    texts = make_documents(args.docs)
    encoder = speed_up(load_bundled("cpu"))
    labels = ["markets", "sports", "law", "cooking", "weather", "technology"]
    print(
        f"fmstudio runs {encoder.runtime} ({encoder.runtime_reason}); the encoder alone, per path:"
    )
    model_paths(encoder, texts)
    ours_t, plain_t = [], []
    for _ in range(args.repeats):
        start = time.perf_counter()
        request = ClassifyTexts(texts=tuple(texts), labels=tuple(labels), model=encoder)
        run_to_end(classify_texts(request))
        ours_t.append(time.perf_counter() - start)
        start = time.perf_counter()
        plain = plain_loop(encoder, texts, 32)
        plain_t.append(time.perf_counter() - start)
    ours = torch.stack(_run_windows(encoder, [TextDoc(str(i), t) for i, t in enumerate(texts)], 32))
    cosine = float((ours * plain).sum(-1).min())
    print(f"{args.docs} documents of 5-200 words, {torch.get_num_threads()} torch threads")
    print(f"lowest cosine, fmstudio vs plain embedding: {cosine:.6f}")
    report(
        "fmstudio text classify",
        args.docs / statistics.median(ours_t),
        "plain transformers loop",
        args.docs / statistics.median(plain_t),
        "docs/s",
        "fmstudio / plain",
    )


if __name__ == "__main__":
    main()
