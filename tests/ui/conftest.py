"""What every window test shares."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QMessageBox


@pytest.fixture(autouse=True)
def questions(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Questions the app asks (QMessageBox.question) are recorded and answered Yes, so no
    test hangs on a modal box; a test sets `questions.answer` to say No."""
    asked: _Asked = _Asked()

    def question(_parent, title: str, text: str, *_args, **_kwargs):
        asked.append(f"{title}: {text}")
        return asked.answer

    monkeypatch.setattr(QMessageBox, "question", question)
    return asked


class _Asked(list):
    answer = QMessageBox.StandardButton.Yes
