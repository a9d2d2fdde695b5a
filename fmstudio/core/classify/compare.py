"""Compare a retrained model with the one it replaces, on the same validation files.

Both are measured by the evaluate job, so the figures are those a user gets from the tabs; the
files whose verdict changed (fixed or broken by the new model) are listed.
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass, replace

from fmstudio.core.classify.evaluate import EvalResult, evaluate_model
from fmstudio.core.classify.scan import DatasetReport
from fmstudio.core.data.report import relative_path
from fmstudio.core.events import CancelToken, Event, Log
from fmstudio.core.requests import Compare, Evaluate


@dataclass(frozen=True)
class Changed:
    """A validation file the two models judge differently (right or wrong)."""

    path: str
    truth: str
    before: str
    after: str

    @property
    def fixed(self) -> bool:
        return self.after == self.truth


@dataclass
class Comparison:
    root: str
    """The dataset the files belong to."""
    previous_name: str
    previous: EvalResult
    current: EvalResult
    changed: list[Changed]

    @property
    def fixed(self) -> int:
        return sum(c.fixed for c in self.changed)

    @property
    def broken(self) -> int:
        return sum(c.before == c.truth for c in self.changed)

    change_headers = ("file", "true class", "previous", "new")

    def figures(self) -> list[tuple[str, str, str, str]]:
        """(figure, previous, new, change) as the wizard shows them."""
        before, after = self.previous.evaluation, self.current.evaluation
        pairs = (("accuracy", before.accuracy, after.accuracy),
                 ("macro-F1", before.macro_f1, after.macro_f1))  # fmt: skip
        return [(n, f"{o:.1%}", f"{a:.1%}", f"{(a - o) * 100:+.1f} points") for n, o, a in pairs]

    def summary(self) -> str:
        text = (
            f"On the same {self.current.evaluation.n} validation files as {self.previous_name}: "
            f"{self.fixed} now right, {self.broken} now wrong."
        )
        unknown = len(self.previous.skipped)
        if unknown:
            text += f" {self.previous_name} could not judge {unknown} (classes it lacks)."
        return text

    def change_rows(self) -> list[tuple[tuple[str, ...], str, bool]]:
        """Each changed file's cells, its path, and whether the new model is the better."""
        return [
            ((relative_path(c.path, self.root), c.truth, c.before, c.after), c.path, c.fixed)
            for c in self.changed
        ]


def verdicts(result: EvalResult) -> dict[str, tuple[str, str]]:
    """File → (true class, predicted class) for every example the model classified."""
    return {
        s.path: (s.label, r.top.label)
        for s, r in zip(result.samples, result.results, strict=True)
        if r.top is not None
    }


def changed_verdicts(previous: EvalResult, current: EvalResult) -> list[Changed]:
    """Files both models classified where one was right and the other not."""
    before, after = verdicts(previous), verdicts(current)
    out = []
    for path, (truth, new) in after.items():
        if path not in before:
            continue
        old = before[path][1]
        if (old == truth) != (new == truth):
            out.append(Changed(path, truth, old, new))
    return out


def compare_models(
    request: Compare, *, report: DatasetReport, cancel: CancelToken | None = None
) -> Generator[Event, None, Comparison]:
    """Both models on `report.val`: the files the new model was validated on."""
    cancel = cancel or CancelToken()
    ask = Evaluate(
        request.task, request.previous, report.root, device=request.device, on="validation"
    )
    previous = yield from evaluate_model(ask, cancel=cancel, report=report)
    ask = replace(ask, model=request.current)
    current = yield from evaluate_model(ask, cancel=cancel, report=report)
    changed = changed_verdicts(previous, current)
    result = Comparison(report.root, request.previous, previous, current, changed)
    yield Log(f"{result.fixed} files fixed and {result.broken} broken by the new model")
    return result
