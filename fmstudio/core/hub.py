"""Loading from a model hub without hanging: try the local cache first, then the network.

A user's machine usually has the internet; when it does not, the user gets
"model X is not cached and the network is unreachable" within seconds, instead of the hub
client's retries (well over a minute when names do not resolve) or a traceback: one probe of
the hub's address, with a short timeout, decides before any download is tried.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

from fmstudio.core.errors import ModelUnavailableError

T = TypeVar("T")
HUB_HOST = "huggingface.co"
PROBE_TIMEOUT_S = 3.0


def _endpoint() -> tuple[str, int]:
    """The host and port downloads go to (HF_ENDPOINT may name a mirror)."""
    from urllib.parse import urlsplit

    url = urlsplit(os.environ.get("HF_ENDPOINT") or f"https://{HUB_HOST}")
    return url.hostname or HUB_HOST, url.port or (443 if url.scheme == "https" else 80)


REMEMBER_UNREACHABLE_S = 60.0
_unreachable_until = 0.0


def hub_reachable(timeout: float = PROBE_TIMEOUT_S) -> bool:
    """Whether a connection to the hub opens within `timeout` seconds (name lookup included,
    which a socket timeout does not bound: it runs on a thread that is not waited for).

    A failed probe is remembered for a minute, so loading several models offline pays once.
    """
    global _unreachable_until
    if time.monotonic() < _unreachable_until:
        return False
    opened = threading.Event()

    def probe() -> None:
        try:
            with socket.create_connection(_endpoint(), timeout=timeout):
                opened.set()
        except OSError:
            pass

    threading.Thread(target=probe, daemon=True, name="hub-probe").start()
    if opened.wait(timeout):
        return True
    _unreachable_until = time.monotonic() + REMEMBER_UNREACHABLE_S
    return False


@contextmanager
def _offline(enabled: bool) -> Iterator[None]:
    """Offline for the hub client while the block runs: its environment variables, and the
    flag it read from them at import (which is what it checks before each request)."""
    from huggingface_hub import constants

    keys = ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE")
    saved = {k: os.environ.get(k) for k in keys}
    saved_flag = constants.HF_HUB_OFFLINE
    if enabled:
        for k in keys:
            os.environ[k] = "1"
        constants.HF_HUB_OFFLINE = True
    try:
        yield
    finally:
        constants.HF_HUB_OFFLINE = saved_flag
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


def load_folder_or_hub(
    name: str, source: str | Path, loader: Callable[[], T], kind: str = "model"
) -> T:
    """A model folder loads as it is (it needs no hub, and never waits behind a download);
    anything else goes through `load_cached_or_online`. A failure is a `ModelUnavailableError`
    either way."""
    if not Path(source).is_dir():
        return load_cached_or_online(name, loader)
    try:
        return loader()
    except (OSError, ValueError, RuntimeError) as exc:
        raise ModelUnavailableError(f"{kind} {name} could not be loaded: {exc}") from exc


_one_load_at_a_time = threading.Lock()


def load_cached_or_online(name: str, loader: Callable[[], T]) -> T:
    """Run `loader` offline first (instant when cached), then once online; explain failures.

    One hub load at a time: offline mode is a process-wide setting of the hub client, and a
    cache-only attempt beside a download would make the download fail as "offline".
    """
    with _one_load_at_a_time:
        return _cached_or_online(name, loader)


def _cached_or_online(name: str, loader: Callable[[], T]) -> T:
    try:
        with _offline(True):
            return loader()
    except Exception as cached_exc:
        if not _is_network_error(cached_exc) and "not found" not in str(cached_exc).lower():
            raise ModelUnavailableError(
                f"model {name} could not be loaded: {cached_exc}"
            ) from cached_exc
    if os.environ.get("HF_HUB_OFFLINE") == "1" or not hub_reachable():
        raise ModelUnavailableError.offline(name)
    try:
        return loader()
    except Exception as exc:
        if _is_network_error(exc):
            raise ModelUnavailableError.offline(name) from exc
        raise ModelUnavailableError(f"model {name} could not be loaded: {exc}") from exc


def quiet_transformers() -> None:
    """No progress bars or warnings from transformers on the user's terminal or log."""
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()
    hf_logging.set_verbosity_error()
