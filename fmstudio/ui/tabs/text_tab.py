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

from fmstudio.core.config import Settings
from fmstudio.core.data.texts import TEXT_SUFFIXES
from fmstudio.core.results import ItemResult
from fmstudio.core.text import DEFAULT_TEMPLATE
from fmstudio.ui.tabs.classify_tab import ClassifyTab
from fmstudio.ui.widgets.controls import device_combo, top_k_spin
from fmstudio.ui.widgets.model_picker import ModelPicker
from fmstudio.ui.worker import JobFactory


class TextTab(ClassifyTab):
    title = "Text"
    noun = "documents"
    item_header = "Document"
    detail_header = "Snippet"
    file_filter = "Text (" + " ".join(f"*{s}" for s in sorted(TEXT_SUFFIXES)) + ");;All files (*)"

    def __init__(self, settings: Settings, parent: QWidget | None = None) -> None:
        hint = (
            "Type labels above, then drop text files or folders here (txt, md, html, csv, tsv, "
            "jsonl), use Add documents… (Ctrl+O), or paste text below."
        )
        super().__init__(settings, hint, parent)
        self.model_picker = ModelPicker("text", settings.text_model)
        self.model_picker.setToolTip(
            "all-MiniLM-L6-v2 classifies zero-shot with your labels; a fine-tuned model "
            "uses its own classes"
        )
        self.top_k = top_k_spin(5, "document")
        self.device = device_combo(settings)
        self.controls.addWidget(QLabel("Model:"))
        self.controls.addWidget(self.model_picker, 1)
        for widget in (QLabel("Top-k:"), self.top_k, QLabel("Device:"), self.device):
            self.controls.addWidget(widget)
        self.finish_controls()

        self.labels = QLineEdit(settings.text_labels)
        self.labels.setPlaceholderText("Labels, comma-separated: sports, politics, cooking")
        self.labels.setToolTip("The labels to choose from (zero-shot); at least two")
        self.labels.textChanged.connect(self._remember_labels)
        self.use_template = QCheckBox("Template:")
        self.use_template.setChecked(True)
        self.use_template.setToolTip("Describe each label with a sentence as well as its name")
        self.template = QLineEdit(DEFAULT_TEMPLATE)
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
        self.extra_controls.addLayout(row)

        self.paste_box = QPlainTextEdit()
        self.paste_box.setPlaceholderText(
            "Or paste text here: one document, or several separated by a blank line."
        )
        self.paste_box.setMaximumHeight(90)
        self.classify_text_button = QPushButton("Classify text")
        self.classify_text_button.setToolTip("Classify the pasted text (Ctrl+Return)")
        self.classify_text_button.setShortcut("Ctrl+Return")
        self.classify_text_button.clicked.connect(self.classify_pasted)
        paste_row = QHBoxLayout()
        paste_row.addWidget(self.paste_box, 1)
        paste_row.addWidget(self.classify_text_button)
        self.extra_controls.addLayout(paste_row)
        self.status.setText("Ready. Type two or more labels, then drop or paste text.")
        self._pasted: list[str] = []

    @Slot(str)
    def _remember_labels(self, text: str) -> None:
        self.settings.text_labels = text

    @Slot()
    def classify_pasted(self) -> None:
        raw = self.paste_box.toPlainText()
        parts = [p.strip() for p in raw.replace("\r\n", "\n").split("\n\n")]
        documents = [p for p in parts if p]
        if not documents:
            self.status.setText("Paste some text first.")
            return
        self._pasted.extend(documents)
        if not self.is_busy():
            self.start_pending()

    def start_pending(self) -> None:
        if self._pasted and not self._pending:
            self._pending.append("")  # a job with pasted text only
        super().start_pending()

    def make_job(self, inputs: list[str]) -> tuple[JobFactory, str]:
        from fmstudio.core.catalog import BUNDLED
        from fmstudio.core.text.classify import classify_texts, parse_labels

        model = self.model_picker.model_name()
        zero_shot = any(b.task == "text" and b.name == model for b in BUNDLED)
        labels = parse_labels(self.labels.text()) if zero_shot else None
        if zero_shot and len(labels or []) < 2:
            self._pasted.clear()
            raise ValueError("Type at least two labels, separated by commas, for zero-shot.")
        template = self.template.text() if self.use_template.isChecked() else None
        texts, self._pasted = self._pasted, []
        files = [p for p in inputs if p]
        column = self.text_column.text().strip() or None
        self.settings.text_model = model
        self.settings.device = device = self.device.currentText()
        top_k = self.top_k.value()

        def job(token):  # type: ignore[no-untyped-def]
            return classify_texts(
                files, labels, model, template, top_k, 32, device, token, texts, column
            )

        how = "zero-shot" if zero_shot else f"with {model}"
        return job, f"Classifying {how}…"

    def detail(self, result: ItemResult) -> str:
        return str(result.extra.get("snippet", ""))
