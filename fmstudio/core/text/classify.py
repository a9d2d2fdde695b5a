"""The text classify job: zero-shot with the user's labels, or a fine-tuned classifier.

Long documents are split into overlapping token windows that fit the model; window
results are averaged, so nothing is silently truncated. Windows are batched by similar
length to cut padding, and label embeddings are computed once per run.
"""

from __future__ import annotations

import re
from collections.abc import Generator, Iterable, Sequence
from pathlib import Path

import torch

from fmstudio.core import catalog
from fmstudio.core.data.files import expand_paths
from fmstudio.core.data.texts import TEXT_SUFFIXES, TextDoc, iter_documents
from fmstudio.core.devices import resolve_device
from fmstudio.core.errors import FmError, InputFileError
from fmstudio.core.events import CancelToken, EtaTracker, Event, Log, Partial
from fmstudio.core.results import ItemResult, rank
from fmstudio.core.text import DEFAULT_TEMPLATE
from fmstudio.core.text.models import TextClassifier, TextEncoder

TEMPERATURE = 0.05
"""Cosine similarities span a narrow range; dividing by 0.05 makes softmax scores read
like probabilities (a clear match gets most of the mass) without changing the ranking."""
OVERLAP = 32
SNIPPET = 160

Entry = TextDoc | InputFileError


def parse_labels(raw: str | Sequence[str]) -> list[str]:
    """Labels from "a, b, c" or one per line; blanks and repeats dropped, order kept."""
    items = re.split(r"[,\n]", raw) if isinstance(raw, str) else list(raw)
    seen: dict[str, None] = {}
    for item in items:
        label = item.strip()
        if label and label.lower() not in {k.lower() for k in seen}:
            seen[label] = None
    return list(seen)


def label_vectors(
    encoder: TextEncoder, labels: Sequence[str], template: str | None
) -> torch.Tensor:
    """Each label's embedding: the bare name, averaged with the templated sentence if any.

    On three small datasets (benchmarks/zero_shot_quality.py) the average beat both the bare
    names and the template alone on mean accuracy; the template alone hurt one of them.
    """
    bare = encoder.embed(list(labels))
    if not template:
        return bare
    if "{label}" not in template:
        raise FmError('the template must contain "{label}", e.g. "This text is about {label}."')
    templated = encoder.embed([template.replace("{label}", label) for label in labels])
    return torch.nn.functional.normalize(bare + templated, dim=-1)


def chunk_ids(ids: list[int], size: int, overlap: int = OVERLAP) -> list[list[int]]:
    """Overlapping windows of at most `size` tokens covering every token."""
    if len(ids) <= size:
        return [ids]
    step = max(1, size - overlap)
    chunks = []
    for start in range(0, len(ids), step):
        chunks.append(ids[start : start + size])
        if start + size >= len(ids):
            break
    return chunks


def _run_windows(
    model: TextEncoder | TextClassifier, docs: Sequence[TextDoc], batch_size: int
) -> list[torch.Tensor]:
    """One vector per document: mean embedding (re-normalised) or mean class probabilities."""
    size = model.window_size()
    token_lists = model.tokenizer(
        [d.text for d in docs], add_special_tokens=False, truncation=False
    )["input_ids"]
    windows: list[tuple[int, list[int]]] = []
    for doc_index, ids in enumerate(token_lists):
        windows += [(doc_index, chunk) for chunk in chunk_ids(ids or [], size)]
    order = sorted(range(len(windows)), key=lambda i: len(windows[i][1]))
    outputs: list[torch.Tensor | None] = [None] * len(windows)
    for start in range(0, len(order), batch_size):
        picked = order[start : start + batch_size]
        batch = model.pad_ids([windows[i][1] for i in picked])
        if isinstance(model, TextEncoder):
            out = model.embed_batch(batch)
        else:
            out = model.probabilities_batch(batch)
        for row, i in enumerate(picked):
            outputs[i] = out[row]
    sums: list[torch.Tensor | None] = [None] * len(docs)
    weights = [0] * len(docs)
    for (doc_index, chunk), vector in zip(windows, outputs, strict=True):
        assert vector is not None
        w = max(len(chunk), 1)
        sums[doc_index] = vector * w if sums[doc_index] is None else sums[doc_index] + vector * w
        weights[doc_index] += w
    vectors = [s / w for s, w in zip(sums, weights, strict=True) if s is not None]
    if isinstance(model, TextEncoder):
        vectors = [torch.nn.functional.normalize(v, dim=-1) for v in vectors]
    return vectors


def _snippet(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= SNIPPET else flat[: SNIPPET - 1] + "…"


def collect_entries(
    paths: Iterable[str | Path], texts: Sequence[str] = (), text_column: str | None = None
) -> list[Entry]:
    entries: list[Entry] = [TextDoc(f"pasted#{i + 1}", t) for i, t in enumerate(texts) if t.strip()]
    for path in expand_paths(paths, TEXT_SUFFIXES):
        entries.extend(iter_documents(path, text_column))
    return entries


def classify_texts(
    paths: Iterable[str | Path] = (),
    labels: str | Sequence[str] | None = None,
    model: str | TextEncoder | TextClassifier | None = None,
    template: str | None = DEFAULT_TEMPLATE,
    top_k: int = 5,
    batch_size: int = 32,
    device: str = "auto",
    cancel: CancelToken | None = None,
    texts: Sequence[str] = (),
    text_column: str | None = None,
    temperature: float = TEMPERATURE,
) -> Generator[Event, None, list[ItemResult]]:
    """Rank labels for every document; a bad file or row becomes an error result."""
    cancel = cancel or CancelToken()
    label_list = parse_labels(labels) if labels else []
    if isinstance(model, (TextEncoder, TextClassifier)):
        loaded = model
    else:
        name = model or catalog.default_model("text")
        yield Log(f"Loading {name}…")
        loaded = catalog.cached_load(name, "text", resolve_device(device))
    if isinstance(loaded, TextEncoder):
        if len(label_list) < 2:
            raise FmError('zero-shot needs at least two labels, e.g. --labels "sports, politics"')
        label_matrix = label_vectors(loaded, label_list, template)
        names = label_list
    else:
        names = loaded.labels
    entries = collect_entries(paths, texts, text_column)
    docs_total = len(entries)
    tracker = EtaTracker(docs_total)
    yield tracker.progress(0, f"{docs_total} documents")
    results: list[ItemResult] = []
    group = max(1, batch_size) * 4
    for start in range(0, docs_total, group):
        cancel.raise_if_cancelled()
        window = entries[start : start + group]
        docs = [e for e in window if isinstance(e, TextDoc)]
        vectors = _run_windows(loaded, docs, max(1, batch_size)) if docs else []
        if docs and isinstance(loaded, TextEncoder):
            probs = (torch.stack(vectors) @ label_matrix.T / temperature).softmax(-1)
        elif docs:
            probs = torch.stack(vectors)
        ranked = iter(rank(probs, names, top_k) if docs else [])
        batch_results = [
            ItemResult(e.path, next(ranked), None, {"snippet": _snippet(e.text)})
            if isinstance(e, TextDoc)
            else ItemResult(e.path, (), e.reason)
            for e in window
        ]
        results.extend(batch_results)
        yield Partial(tuple(batch_results))
        yield tracker.progress(len(results), batch_results[-1].path)
    return results
