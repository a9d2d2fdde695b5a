"""Sort classified inputs into `DIR/<top label>/`: copied (or moved when asked), never over a file.

Inputs whose top score is below the threshold go to `DIR/_unsure/`, inputs that could not be
classified stay where they are, and `DIR/manifest.csv` (or a free variant of the name) lists
source, destination, label and score for everything placed. A dry run plans and touches nothing.
"""

from __future__ import annotations

from collections.abc import Generator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from fmstudio.core.classify.dataset import Item
from fmstudio.core.classify.results import ItemResult
from fmstudio.core.events import CancelToken, EtaTracker, Event, Log
from fmstudio.core.placing import copy_into, folder_name, move_into, write_text_into
from fmstudio.core.spreadsheet import to_csv

UNSURE = "_unsure"
MANIFEST = "manifest.csv"


@dataclass(frozen=True)
class SortInto:
    """Where and how to sort results that a classify job returned."""

    folder: str
    move: bool = False
    min_score: float = 0.0
    dry_run: bool = False


@dataclass(frozen=True)
class Placement:
    """One input's place: planned, done (`destination`), or failed (`error`)."""

    source: str
    label: str
    score: float
    folder: str
    """The class folder's name, or `_unsure` when the top score is below the threshold."""
    destination: str = ""
    error: str = ""
    text: str | None = field(default=None, repr=False)


@dataclass
class SortOutcome:
    placements: list[Placement]
    unclassified: list[ItemResult]
    """Inputs the classifier failed on: reported and left where they are."""
    manifest: Path | None = None

    @property
    def failed(self) -> list[Placement]:
        return [p for p in self.placements if p.error]

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for p in self.placements:
            if not p.error:
                out[p.folder] = out.get(p.folder, 0) + 1
        return dict(sorted(out.items()))


def plan_sort(results: Sequence[ItemResult], options: SortInto) -> SortOutcome:
    """Where each classified input goes; nothing is touched."""
    placements = []
    for r in results:
        if r.top is None:
            continue
        unsure = r.top.score < options.min_score
        folder = UNSURE if unsure else folder_name(r.top.label)
        name = Item.of(r).file_name()
        planned = str(Path(options.folder) / folder / name)
        placements.append(Placement(r.path, r.top.label, r.top.score, folder, planned, text=r.text))
    return SortOutcome(placements, [r for r in results if r.top is None])


def _place(p: Placement, root: Path, move: bool) -> Placement:
    folder = root / p.folder
    try:
        if p.text is not None:  # a row or pasted text: written out; its table stays as it is
            target = write_text_into(p.text, folder, Path(p.destination).name)
        elif move:
            target = move_into(Path(p.source), folder)
        else:
            target = copy_into(Path(p.source), folder)
    except OSError as exc:
        return replace(p, destination="", error=exc.strerror or str(exc))
    return replace(p, destination=str(target))


def manifest_csv(placements: Sequence[Placement]) -> str:
    rows = ([p.source, p.destination, p.label, f"{p.score:.6f}"] for p in placements if not p.error)
    return to_csv(["source", "destination", "label", "score"], rows)


def sort_results(
    results: Sequence[ItemResult], options: SortInto, *, cancel: CancelToken | None = None
) -> Generator[Event, None, SortOutcome]:
    """Copy or move each input into its folder; a failure is recorded and the others go on.

    A stop keeps what is placed so far, and the manifest lists it.
    """
    cancel = cancel or CancelToken()
    outcome = plan_sort(results, options)
    if options.dry_run:
        return outcome
    root = Path(options.folder).expanduser()
    tracker = EtaTracker(len(outcome.placements))
    done: list[Placement] = []
    try:
        for p in outcome.placements:
            cancel.raise_if_cancelled()
            done.append(_place(p, root, options.move))
            if done[-1].error:
                yield Log(f"{p.source}: {done[-1].error}; left where it is", "warning")
            yield tracker.progress(len(done), Path(p.source).name)
    finally:
        outcome.placements = done
        if any(not p.error for p in done):
            outcome.manifest = write_text_into(manifest_csv(done), root, MANIFEST)
    return outcome
