"""The text classify job: zero-shot with the user's labels, or a fine-tuned classifier.

Long documents are split into overlapping token windows that fit the model; window
results are averaged, so nothing is silently truncated. Windows are batched by similar
length to cut padding, and label embeddings are computed once per run.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from pathlib import Path

import torch

from fmstudio.core import catalog, loading
from fmstudio.core.classify.results import ItemResult, Prediction, rank
from fmstudio.core.classify.scan import Sample
from fmstudio.core.data.files import expand_paths
from fmstudio.core.data.texts import TEXT_SUFFIXES, TextDoc, iter_documents
from fmstudio.core.devices import resolve_device
from fmstudio.core.errors import FmError, InputFileError
from fmstudio.core.events import Activity, CancelToken, EtaTracker, Event, Log, Partial, Runtime
from fmstudio.core.modalities import TEXT
from fmstudio.core.text import DEFAULT_TEMPLATE, MULTILINGUAL, parse_labels
from fmstudio.core.text.batching import in_batches, length_batches, sorted_chunks
from fmstudio.core.text.head_model import HeadClassifier
from fmstudio.core.text.language import not_english
from fmstudio.core.text.models import TextClassifier, TextEncoder, ZeroShotEncoder
from fmstudio.core.text.multilingual import MultilingualEncoder
from fmstudio.core.text.requests import ClassifyTexts
from fmstudio.core.text.sentiment import WEAK, descriptions, is_sentiment

TEMPERATURE = 0.05
"""Cosine similarities span a narrow range; dividing by 0.05 makes softmax scores read
like probabilities (a clear match gets most of the mass) without changing the ranking."""
OVERLAP = 32
SNIPPET = 160

Entry = TextDoc | InputFileError
Classifier = TextClassifier | HeadClassifier


def label_vectors(
    encoder: ZeroShotEncoder, labels: Sequence[str], template: str | None
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
    if template == DEFAULT_TEMPLATE and is_sentiment(labels):  # see `sentiment`
        templated = encoder.embed(descriptions(labels))
    else:
        templated = encoder.embed([template.replace("{label}", label) for label in labels])
    return torch.nn.functional.normalize(bare + templated, dim=-1)


LONG_PARTS = 24
PART_CHARS = 2_000
"""A document longer than LONG_PARTS × PART_CHARS is read as that many evenly spread parts of
it (about 40 windows), not window by window: a book-sized file (16 MB) took over 24 minutes,
and the label of the sampled parts agrees with reading every window
(benchmarks/long_documents.py)."""


def is_long(text: str) -> bool:
    """Whether `bounded` reads only parts of `text`."""
    return len(text) > LONG_PARTS * PART_CHARS


def bounded(text: str) -> str:
    """`text`, or LONG_PARTS evenly spread parts of it, each cut at spaces."""
    if not is_long(text):
        return text
    step = (len(text) - PART_CHARS) / (LONG_PARTS - 1)
    parts = []
    for i in range(LONG_PARTS):
        part = text[int(i * step) : int(i * step) + PART_CHARS]
        first, last = part.find(" "), part.rfind(" ")
        parts.append(part[first + 1 : last] if 0 <= first < last else part)
    return "\n".join(parts)


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
    model: ZeroShotEncoder | Classifier,
    docs: Sequence[TextDoc],
    batch_size: int,
    on_share: Callable[[float], Event] | None = None,
    cancel: CancelToken | None = None,
) -> Generator[Event, None, torch.Tensor]:
    """A row per document: mean embedding (re-normalised) or mean class probabilities.
    After each batch it checks `cancel` and yields `on_share` of the share of text done."""
    if isinstance(model, MultilingualEncoder | HeadClassifier):  # whole texts: no windows
        texts = [d.text for d in docs]
        whole = model.embed if isinstance(model, MultilingualEncoder) else model.probabilities
        lengths = [len(t) for t in texts]
        return (
            yield from in_batches(
                sorted_chunks(lengths, batch_size),
                lengths,
                lambda picked: whole([texts[i] for i in picked]),
                on_share,
                cancel,
            )
        )
    size = model.window_size()
    token_lists = model.tokenizer(
        [bounded(d.text) for d in docs], add_special_tokens=False, truncation=False
    )["input_ids"]
    windows: list[tuple[int, list[int]]] = []
    for doc_index, ids in enumerate(token_lists):
        windows += [(doc_index, chunk) for chunk in chunk_ids(ids or [], size)]
    lengths = [len(chunk) for _, chunk in windows]
    forward = model.embed_batch if isinstance(model, TextEncoder) else model.probabilities_batch
    outputs = yield from in_batches(
        list(length_batches(lengths, batch_size)),
        lengths,
        lambda picked: forward(model.pad_ids([windows[i][1] for i in picked])),
        on_share,
        cancel,
    )
    return _document_means(model, windows, outputs, len(docs))


def _document_means(
    model: TextEncoder | TextClassifier,
    windows: Sequence[tuple[int, list[int]]],
    outputs: torch.Tensor,
    count: int,
) -> torch.Tensor:
    """Each document's windows averaged, weighted by their tokens (every document has at
    least one window: `chunk_ids` gives an empty text one)."""
    document = torch.tensor([doc_index for doc_index, _ in windows])
    weights = torch.tensor([max(len(chunk), 1) for _, chunk in windows], dtype=outputs.dtype)
    sums = outputs.new_zeros((count, *outputs.shape[1:]))
    sums.index_add_(0, document, outputs * weights.unsqueeze(-1))
    means = sums / torch.zeros(count, dtype=outputs.dtype).index_add_(0, document, weights)[:, None]
    if isinstance(model, TextEncoder):
        means = torch.nn.functional.normalize(means, dim=-1)
    return means


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
    request: ClassifyTexts, *, cancel: CancelToken | None = None
) -> Generator[Event, None, list[ItemResult]]:
    """Rank labels for every document; a bad file or row becomes an error result."""
    cancel = cancel or CancelToken()
    entries = collect_entries(request.paths, request.texts, request.text_column)
    loaded = yield from _load(request, entries, cancel)
    runtime = getattr(loaded, "runtime", "")  # the numpy encoder and heads say nothing
    if runtime:
        yield Runtime.of(runtime, getattr(loaded, "runtime_reason", ""))
    names, scores = yield from _scorer(loaded, request)
    long = sum(1 for e in entries if isinstance(e, TextDoc) and is_long(e.text))
    if long and not isinstance(loaded, MultilingualEncoder | HeadClassifier):
        yield Log(
            f"{TEXT.count(long)} {'is' if long == 1 else 'are'} long: each is read as "
            f"{LONG_PARTS} evenly spread parts, not every window"
        )
    tracker = EtaTracker(len(entries))
    yield tracker.progress(0, f"{len(entries)} documents")
    results: list[ItemResult] = []
    batch_size = max(1, request.batch_size)
    for window in _windows(entries, batch_size * 8):
        cancel.raise_if_cancelled()
        name = _step_name(window)
        share_done = functools.partial(_progress_in, tracker, len(results), len(window), name)
        docs = [e for e in window if isinstance(e, TextDoc)]
        ranked: Iterator[tuple[Prediction, ...]] = iter([])
        if docs:
            vectors = yield from _run_windows(loaded, docs, batch_size, share_done, cancel)
            ranked = iter(rank(scores(vectors), names, request.top_k))
        window_results = [
            ItemResult(
                e.path,
                next(ranked),
                snippet=_snippet(e.text),
                text=None if e.whole_file else e.text,
            )
            if isinstance(e, TextDoc)
            else ItemResult(e.path, (), e.reason)
            for e in window
        ]
        results.extend(window_results)
        yield Partial(tuple(window_results))
        yield tracker.progress(len(results), name)
    return results


def _step_name(window: Sequence[Entry]) -> str:
    """What the bar says during a step: its first and last document (its texts run sorted by
    length, so no one document is the current one)."""
    first, last = Path(window[0].path).name, Path(window[-1].path).name
    return last if first == last else f"{first} to {last}"


def _progress_in(tracker: EtaTracker, before: int, size: int, name: str, share: float) -> Event:
    """Progress `share` of the way through a step of `size` documents after `before` others."""
    return tracker.progress(before + share * size, name)


def _scorer(
    loaded: ZeroShotEncoder | Classifier, request: ClassifyTexts
) -> Generator[Event, None, tuple[list[str], Callable[[torch.Tensor], torch.Tensor]]]:
    """The label names, and what turns the documents' vectors into their label scores."""
    if isinstance(loaded, Classifier):
        return loaded.labels, lambda probabilities: probabilities
    names = parse_labels(request.labels)
    if len(names) < 2:
        raise FmError('zero-shot needs at least two labels, e.g. --labels "sports, politics"')
    label_matrix = label_vectors(loaded, names, request.template)
    if is_sentiment(names):
        yield Log(WEAK)
    return names, lambda vectors: (vectors @ label_matrix.T / TEMPERATURE).softmax(-1)


FIRST_WINDOW_CHARS = 20_000
MOST_WINDOW_CHARS = 320_000
MOST_WINDOW_ENTRIES = 4096
"""Text per step of results. The first step is small, for a quick first result; the next ones
are large, since texts are sorted by length only within a step: in steps of 128 short texts
the job ran a third slower than sorted whole. The bar moves, and Stop is heard, after every
batch inside a step (20 long documents in one step sat at 0/20 for a minute)."""


def _windows(entries: Sequence[Entry], first: int) -> Iterator[Sequence[Entry]]:
    """Consecutive runs of entries: `first` entries and FIRST_WINDOW_CHARS of text at most,
    then MOST_WINDOW_ENTRIES and MOST_WINDOW_CHARS."""
    start, chars, most, most_chars = 0, 0, first, FIRST_WINDOW_CHARS
    for i, entry in enumerate(entries):
        chars += len(entry.text) if isinstance(entry, TextDoc) else 0
        if i + 1 - start >= most or chars >= most_chars:
            yield entries[start : i + 1]
            start, chars, most, most_chars = i + 1, 0, MOST_WINDOW_ENTRIES, MOST_WINDOW_CHARS
    if start < len(entries):
        yield entries[start:]


def pick_model(request: ClassifyTexts, entries: Sequence[Entry]) -> tuple[str, str]:
    """The model to load, and why it is not the one asked for ("" when it is): English-only
    MiniLM gives way to the multilingual encoder for labels or texts in another language."""
    name = request.model if isinstance(request.model, str) and request.model else TEXT.default_model
    if not catalog.is_zero_shot(name, "text") or catalog.bundled_name(name, "text") == MULTILINGUAL:
        return name, ""
    texts = [*parse_labels(request.labels), *(e.text for e in entries if isinstance(e, TextDoc))]
    reason = not_english(texts)
    if reason is None:
        return name, ""
    return MULTILINGUAL, (
        f"The labels or texts do not look English ({reason}): using {MULTILINGUAL}, "
        f"since {name} knows English only"
    )


def _load(
    request: ClassifyTexts, entries: Sequence[Entry], cancel: CancelToken
) -> Generator[Event, None, ZeroShotEncoder | Classifier]:
    if not isinstance(request.model, str):
        return request.model
    name, why = pick_model(request, entries)
    if why:
        yield Log(why)
    yield Activity(f"Loading {name}…")
    loaded: ZeroShotEncoder | Classifier = loading.cached_load(
        name, "text", resolve_device(request.device), cancel
    )
    return loaded


def zero_shot_labels(
    samples: Sequence[Sample], labels: Sequence[str], device: str, cancel: CancelToken
) -> Generator[Event, None, list[str]]:
    """Each example's best label with the default zero-shot encoder, the labels as given:
    what a user gets before training anything (the ladder's first rung)."""
    texts = tuple(s.text or "" for s in samples)
    request = ClassifyTexts(texts=texts, labels=tuple(labels), top_k=1, device=device)
    results = yield from classify_texts(request, cancel=cancel)
    return [r.top.label if r.top else labels[0] for r in results]
