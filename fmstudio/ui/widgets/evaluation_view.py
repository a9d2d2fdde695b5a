"""How good a model is: headline figures, per-class table, confusion heatmap, mistakes."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QColor, QIcon
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QTableWidget,
    QVBoxLayout,
    QWidget,
)

from fmstudio.core.classify.metrics import Evaluation, Misclassified
from fmstudio.core.data.playback import Playback
from fmstudio.core.data.suffixes import AUDIO_SUFFIXES
from fmstudio.ui.widgets.audio_player import AudioPlayer
from fmstudio.ui.widgets.cells import table_item
from fmstudio.ui.widgets.threshold_view import ThresholdView
from fmstudio.ui.widgets.thumbnails import pixmap_of

if TYPE_CHECKING:
    from fmstudio.core.classify.evaluate import EvalResult
    from fmstudio.core.classify.train_job import TrainResult

MISTAKES_SHOWN = 3
"""Mistakes a list shows unscrolled, beside the threshold view."""
THUMB = 64
MAX_MISTAKES = 200


class EvaluationView(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.headline = QLabel("No evaluation yet.")
        self.headline.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        font = self.headline.font()
        font.setPointSizeF(font.pointSizeF() * 1.3)
        self.headline.setFont(font)

        self.per_class = QTableWidget(0, 4)
        self.per_class.setHorizontalHeaderLabels(["precision", "recall", "F1", "support"])
        self.per_class.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.per_class.setToolTip("Per class: of the predictions, how many were right (precision)")

        self.confusion = QTableWidget(0, 0)
        self.confusion.setToolTip("Rows: the true class. Columns: what the model predicted.")
        self.confusion.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)

        for table in (self.per_class, self.confusion):
            table.verticalHeader().setDefaultSectionSize(22)  # ten classes fit unscrolled
        self.mistakes = QListWidget()
        self.mistakes.setIconSize(QSize(THUMB, THUMB))
        self.mistakes.setWordWrap(True)
        self.mistakes.setToolTip(
            "Validation examples the model got wrong (a recording plays when double-clicked "
            "or on Enter)"
        )
        self.mistakes.itemActivated.connect(self._play)
        self.player = AudioPlayer(self)

        left = QVBoxLayout()
        left.addWidget(QLabel("Per class"))
        left.addWidget(self.per_class)
        left.addWidget(QLabel("Confusion matrix (rows: true class, columns: predicted)"))
        left.addWidget(self.confusion)
        right = QVBoxLayout()
        self.mistakes_title = QLabel("Misclassified examples")
        right.addWidget(self.mistakes_title)
        self.mistakes.setMinimumHeight(MISTAKES_SHOWN * (THUMB + 8))
        right.addWidget(self.mistakes, 3)
        self.thresholds = ThresholdView()
        self.thresholds.plot.setMinimumHeight(140)
        self.thresholds.hide()
        right.addWidget(self.thresholds, 2)
        body = QHBoxLayout()
        body.addLayout(left, 3)
        body.addLayout(right, 2)
        layout = QVBoxLayout(self)
        layout.addWidget(self.headline)
        layout.addLayout(body)

    def show_trained(self, result: TrainResult) -> str | None:
        """A fine-tuned classifier on its validation examples (no line to add)."""
        self.show_result(result.evaluation, result.misclassified)
        self.thresholds.show_thresholds(result.thresholds)
        return None

    def show_evaluated(self, result: EvalResult) -> None:
        self.show_result(result.evaluation, result.misclassified)
        self.thresholds.show_thresholds(None)

    def show_result(
        self, evaluation: Evaluation | None, mistakes: Sequence[Misclassified] = ()
    ) -> None:
        if evaluation is None or evaluation.n == 0:
            self.headline.setText("No validation examples: nothing to evaluate.")
            return
        self.headline.setText(
            f"Accuracy <b>{evaluation.accuracy:.1%}</b> &nbsp; macro-F1 "
            f"<b>{evaluation.macro_f1:.3f}</b> &nbsp; on {evaluation.n} examples"
        )
        self._fill_per_class(evaluation)
        self._fill_confusion(evaluation)
        self._fill_mistakes(mistakes)

    def _fill_per_class(self, evaluation: Evaluation) -> None:
        rows = evaluation.per_class()
        self.per_class.setRowCount(len(rows))
        self.per_class.setVerticalHeaderLabels(list(rows))
        for r, metrics in enumerate(rows.values()):
            for c, key in enumerate(("precision", "recall", "f1")):
                self.per_class.setItem(r, c, table_item(f"{metrics[key]:.3f}", True))
            self.per_class.setItem(r, 3, table_item(str(metrics["support"]), True))

    def _fill_confusion(self, evaluation: Evaluation) -> None:
        labels = evaluation.labels
        self.confusion.setRowCount(len(labels))
        self.confusion.setColumnCount(len(labels))
        self.confusion.setHorizontalHeaderLabels(labels)
        self.confusion.setVerticalHeaderLabels(labels)
        for r, row in enumerate(evaluation.confusion):
            total = max(sum(row), 1)
            for c, count in enumerate(row):
                share = count / total
                item = table_item(str(count), True)
                # Blue for the diagonal (right), red elsewhere (wrong); darker is more.
                base = (40, 90, 200) if r == c else (200, 50, 40)
                alpha = int(30 + 200 * share) if count else 0
                item.setBackground(QColor(*base, alpha))
                if share > 0.6:
                    item.setForeground(QColor("white"))
                item.setToolTip(f"true {labels[r]}, predicted {labels[c]}: {count} ({share:.0%})")
                self.confusion.setItem(r, c, item)

    def _fill_mistakes(self, mistakes: Sequence[Misclassified]) -> None:
        self.mistakes.clear()
        self.mistakes_title.setText(f"Misclassified examples ({len(mistakes)})")
        for m in list(mistakes)[:MAX_MISTAKES]:
            caption = f"{Path(m.path.split('#')[0]).name}\ntrue {m.truth} → {m.predicted}"
            caption += f" ({m.score:.0%})"
            if m.text is not None:
                snippet = " ".join(m.text.split())
                caption += "\n" + (snippet[:140] + "…" if len(snippet) > 140 else snippet)
            item = QListWidgetItem(caption)
            item.setToolTip(m.path)
            item.setData(Qt.ItemDataRole.UserRole, m.path)
            if m.thumbnail is not None:
                item.setIcon(QIcon(pixmap_of(m.thumbnail)))
            self.mistakes.addItem(item)

    def _play(self, item: QListWidgetItem) -> None:
        """A recording the model got wrong, heard in full (on the worker)."""
        path = str(item.data(Qt.ItemDataRole.UserRole) or "")
        if Path(path).suffix.lower() in AUDIO_SUFFIXES:
            self.player.play(Playback(path))

    def shutdown(self, timeout_ms: int = 30_000) -> None:
        self.player.shutdown(timeout_ms)
