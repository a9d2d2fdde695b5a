"""How well a speech model transcribes the held-out clips: WER and CER, before and after.

A table lists each clip with its word error rate(s), worst first; the selected clip's
reference and hypotheses are shown below with the word edits marked (substituted words
struck through and followed by what was heard, missed words struck, extra words underlined).
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from fmstudio.core.speech.scoring import ClipScore, Edit, Scores

if TYPE_CHECKING:
    from fmstudio.core.speech.evaluate import SpeechEvaluation
    from fmstudio.core.speech.train_job import SpeechTrainResult

WRONG, HEARD = "#b3261e", "#1b6e2f"


def edits_html(edits: Sequence[Edit]) -> str:
    """The alignment as HTML: equal words plain, edits coloured."""
    parts: list[str] = []
    for edit in edits:
        ref, hyp = escape(edit.reference), escape(edit.hypothesis)
        if edit.kind == "equal":
            parts.append(ref)
        elif edit.kind == "delete":
            parts.append(f'<s style="color:{WRONG}">{ref}</s>')
        elif edit.kind == "insert":
            parts.append(f'<u style="color:{HEARD}">{hyp}</u>')
        else:
            parts.append(f'<s style="color:{WRONG}">{ref}</s> <b style="color:{HEARD}">{hyp}</b>')
    return " ".join(parts)


def _item(text: str, sort_key: float | None = None) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
    if sort_key is not None:
        item.setData(Qt.ItemDataRole.UserRole, sort_key)
        item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    return item


class WerView(QWidget):
    """Headline WER/CER, a per-clip table, and the selected clip's word edits."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.headline = QLabel("No evaluation yet.")
        self.headline.setWordWrap(True)
        self.headline.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.table = QTableWidget(0, 4)
        self.table.setHorizontalHeaderLabels(["Clip", "WER before", "WER after", "Reference"])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.table.setToolTip("Each held-out clip, worst first: select one to see its word edits")
        self.table.itemSelectionChanged.connect(self._show_selected)
        self.detail = QTextBrowser()
        self.detail.setPlaceholderText("Select a clip to see what each model heard.")
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.table)
        split.addWidget(self.detail)
        split.setSizes([300, 140])
        layout = QVBoxLayout(self)
        layout.addWidget(self.headline)
        layout.addWidget(split, 1)
        self._rows: list[tuple[ClipScore | None, ClipScore]] = []

    def show_trained(self, result: SpeechTrainResult) -> str | None:
        """A fine-tuned model against its base on the held-out clips, or why it cannot be."""
        if result.after is None:
            return "No clips were held out, so the model could not be measured."
        self.show_scores(result.after, result.before)
        return None

    def show_evaluated(self, result: SpeechEvaluation) -> None:
        self.show_scores(result.scores, name=result.model)

    def show_scores(self, after: Scores, before: Scores | None = None, name: str = "") -> None:
        """One model's scores, or a trained model's against its base on the same clips."""
        self.headline.setText(_headline(after, before, name))
        befores: list[ClipScore | None] = list(before.clips) if before else [None] * after.n
        rows = sorted(zip(befores, after.clips, strict=True), key=lambda r: -r[1].wer)
        self._rows = rows
        self.table.setColumnHidden(1, before is None)
        self.table.setHorizontalHeaderItem(
            2, QTableWidgetItem("WER" if before is None else "WER after")
        )
        self.table.setRowCount(len(rows))
        for row, (old, new) in enumerate(rows):
            clip = _item(Path(new.path).name)
            clip.setToolTip(new.path)
            self.table.setItem(row, 0, clip)
            self.table.setItem(
                row, 1, _item(f"{old.wer:.0%}" if old else "", old.wer if old else None)
            )
            self.table.setItem(row, 2, _item(f"{new.wer:.0%}", new.wer))
            self.table.setItem(row, 3, _item(new.reference))
        self.table.resizeColumnsToContents()
        self.detail.clear()
        if rows:
            self.table.selectRow(0)

    @Slot()
    def _show_selected(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return
        old, new = self._rows[rows[0].row()]
        lines = [f"<p><b>Reference</b><br>{escape(new.reference)}</p>"]
        if old is not None:
            lines.append(f"<p><b>Before</b> (WER {old.wer:.0%})<br>{edits_html(old.edits)}</p>")
        label = "After" if old is not None else "Heard"
        lines.append(f"<p><b>{label}</b> (WER {new.wer:.0%})<br>{edits_html(new.edits)}</p>")
        self.detail.setHtml("".join(lines))


def _headline(after: Scores, before: Scores | None, name: str) -> str:
    words = f"{after.n} clips, {after.words} words"
    if before is None:
        who = f"{name}: " if name else ""
        return f"{who}WER {after.wer:.1%} · CER {after.cer:.1%} on {words}."
    change = "better" if after.wer < before.wer else "not better"
    return (
        f"WER {before.wer:.1%} → {after.wer:.1%} · CER {before.cer:.1%} → {after.cer:.1%} "
        f"on {words} held out ({change} than the base model)."
    )
