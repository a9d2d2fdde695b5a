"""What the tab tests share: a tab of a given class, shown as a user sees it."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from fmstudio.core.config import Settings
from fmstudio.ui.tabs.base import Tab


@pytest.fixture
def shown_tab(qtbot) -> Iterator[Callable[..., Tab]]:
    """Makes `cls(Settings())` shown at 1000 × `height`; every tab made is shut down after."""
    made: list[Tab] = []

    def make(cls: type[Tab], height: int = 600) -> Tab:
        widget = cls(Settings())
        qtbot.addWidget(widget)
        widget.resize(1000, height)
        widget.show()
        made.append(widget)
        return widget

    yield make
    for widget in made:
        widget.shutdown()
