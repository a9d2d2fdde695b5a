"""The Text tab: drop text files or paste text, type labels, see which label fits each one."""

from __future__ import annotations

from PySide6.QtCore import Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QWidget,
)

from fmstudio.core.catalog import is_zero_shot
from fmstudio.core.classify.results import ItemResult
from fmstudio.core.config import Settings
from fmstudio.core.modalities import TEXT
from fmstudio.core.text import DEFAULT_TEMPLATE, parse_labels
from fmstudio.core.text.requests import ClassifyTexts
from fmstudio.ui.tabs.classify_controls import ClassifyControls
from fmstudio.ui.tabs.classify_tab import ClassifyTab

LABELS_HINT = "Type labels above, then drop"
DROP_HINT = (
    " text files or folders here (txt, md, html, csv, tsv, jsonl), use Add documents… "
    "(Ctrl+O), or paste text below."
)


class TextControls(ClassifyControls):
    """The model row, the zero-shot labels and template, the text column of tables, and a box
    to paste text into."""

    item_header = "Document"
    detail_header = "Snippet"

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings, "text", "document", LABELS_HINT + DROP_HINT)
        self.model_picker.setToolTip(
            "all-MiniLM-L6-v2 classifies zero-shot with your labels; a fine-tuned model "
            "uses its own classes"
        )
        self._pasted: list[str] = []
        self.below.addLayout(self._labels_row())
        self.below.addLayout(self._paste_row())

    def _labels_row(self) -> QHBoxLayout:
        self.labels = QLineEdit(self.settings.text_labels)
        self.labels.setPlaceholderText("Labels, comma-separated: sports, politics, cooking")
        self.labels.setToolTip("The labels to choose from (zero-shot); at least two")
        self.labels.textChanged.connect(self._remember_labels)
        self.labels.returnPressed.connect(lambda: self.queued.emit(False))
        self.use_template = QCheckBox("Template:")
        self.use_template.setChecked(self.settings.use_template)
        self.use_template.setToolTip("Describe each label with a sentence as well as its name")
        self.template = QLineEdit(self.settings.text_template or DEFAULT_TEMPLATE)
        self.template.setToolTip("{label} is replaced by each label")
        self.text_column = QLineEdit()
        self.text_column.setPlaceholderText("auto")
        self.text_column.setMaximumWidth(110)
        self.text_column.setToolTip("CSV/TSV/JSONL column with the text (guessed when empty)")
        row = QHBoxLayout()
        row.addWidget(QLabel("Labels:"))
        row.addWidget(self.labels, 3)
        row.addWidget(self.use_template)
        row.addWidget(self.template, 2)
        row.addWidget(QLabel("Text column:"))
        row.addWidget(self.text_column)
        return row

    def _paste_row(self) -> QHBoxLayout:
        self.paste_box = QPlainTextEdit()
        self.paste_box.setPlaceholderText(
            "Or paste text here: one document, or several separated by a blank line."
        )
        self.paste_box.setMaximumHeight(90)
        self.classify_text_button = QPushButton("Classify text")
        self.classify_text_button.setToolTip("Classify the pasted text (Ctrl+Return)")
        self.classify_text_button.setShortcut("Ctrl+Return")
        self.classify_text_button.clicked.connect(self.classify_pasted)
        row = QHBoxLayout()
        row.addWidget(self.paste_box, 1)
        row.addWidget(self.classify_text_button)
        return row

    def model_changed(self) -> str:
        """Labels and the template matter for zero-shot only; a trained model has classes."""
        model = self.model_picker.model_name()
        zero_shot = is_zero_shot(model, "text")
        for widget in (self.labels, self.use_template, self.template):
            widget.setEnabled(zero_shot)
        self.hint = (LABELS_HINT if zero_shot else "Drop") + DROP_HINT  # own classes: no labels
        if zero_shot:
            return "Ready. Type two or more labels, then drop or paste text."
        return f"Ready: {model} uses its own classes; drop or paste text."

    @Slot(str)
    def _remember_labels(self, text: str) -> None:
        self.settings.text_labels = text

    @Slot()
    def classify_pasted(self) -> None:
        raw = self.paste_box.toPlainText()
        parts = [p.strip() for p in raw.replace("\r\n", "\n").split("\n\n")]
        documents = [p for p in parts if p]
        if not documents:
            self.said.emit("Paste some text first.")
            return
        self._pasted.extend(documents)
        self.queued.emit(True)

    def has_pending(self) -> bool:
        return bool(self._pasted)

    def clear(self) -> None:
        self.paste_box.clear()

    def request(self, paths: tuple[str, ...]) -> tuple[ClassifyTexts, str]:
        model = self.model_picker.model_name()
        zero_shot = is_zero_shot(model, "text")
        labels = tuple(parse_labels(self.labels.text())) if zero_shot else ()
        if zero_shot and len(labels) < 2:  # the queue waits for them, nothing is dropped
            waiting = TEXT.count(len(paths) + len(self._pasted))
            raise ValueError(
                "Type at least two labels, separated by commas, for zero-shot, then press "
                f"Enter ({waiting} waiting)."
            )
        texts, self._pasted = tuple(self._pasted), []
        self.remember()
        self.settings.use_template = self.use_template.isChecked()
        self.settings.text_template = self.template.text()
        request = ClassifyTexts(
            paths=paths,
            texts=texts,
            labels=labels,
            model=model,
            template=self.template.text() if self.use_template.isChecked() else None,
            top_k=self.top_k.value(),
            device=self.settings.device,
            text_column=self.text_column.text().strip() or None,
        )
        return request, f"Classifying {'zero-shot' if zero_shot else f'with {model}'}…"

    def detail(self, result: ItemResult) -> str:
        return result.snippet or ""


def TextTab(settings: Settings, parent: QWidget | None = None) -> ClassifyTab:
    """The Text tab (the task table names this, as it names any task's tab)."""
    return ClassifyTab(settings, TEXT, TextControls(settings), parent)
