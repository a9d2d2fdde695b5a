"""Loading from a model hub without hanging: try the local cache first, then the network.

A user's machine usually has the internet; when it does not, the user gets
"model X is not cached and the network is unreachable" instead of a retry loop or a traceback.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from fmstudio.core.errors import ModelUnavailableError

T = TypeVar("T")


@contextmanager
def _offline(enabled: bool) -> Iterator[None]:
    keys = ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE")
    saved = {k: os.environ.get(k) for k in keys}
    if enabled:
        for k in keys:
            os.environ[k] = "1"
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def _is_network_error(exc: BaseException) -> bool:
    names = {type(e).__name__ for e in _chain(exc)}
    markers = {
        "LocalEntryNotFoundError",
        "OfflineModeIsEnabled",
        "ConnectionError",
        "ConnectTimeout",
        "ReadTimeout",
        "ConnectError",
        "MaxRetryError",
        "NameResolutionError",
        "gaierror",
    }
    text = " ".join(str(e) for e in _chain(exc)).lower()
    return bool(names & markers) or "offline" in text or "connect" in text or "resolve" in text


def _chain(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def load_cached_or_online(name: str, loader: Callable[[], T]) -> T:
    """Run `loader` offline first (instant when cached), then once online; explain failures."""
    try:
        with _offline(True):
            return loader()
    except Exception as cached_exc:
        if not _is_network_error(cached_exc) and "not found" not in str(cached_exc).lower():
            raise ModelUnavailableError(
                f"model {name} could not be loaded: {cached_exc}"
            ) from cached_exc
    if os.environ.get("HF_HUB_OFFLINE") == "1":
        raise ModelUnavailableError.offline(name)
    try:
        return loader()
    except Exception as exc:
        if _is_network_error(exc):
            raise ModelUnavailableError.offline(name) from exc
        raise ModelUnavailableError(f"model {name} could not be loaded: {exc}") from exc
