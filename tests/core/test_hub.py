from __future__ import annotations

import pytest

from fmstudio.core import loading
from fmstudio.core.errors import ModelUnavailableError
from fmstudio.core.hub import load_cached_or_online


class LocalEntryNotFoundError(Exception):
    """Same name as huggingface_hub's error for a file missing from the cache."""


def test_offline_and_uncached_gives_the_clear_message(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")

    def loader() -> None:
        raise LocalEntryNotFoundError("cannot find the requested files in the local cache")

    with pytest.raises(
        ModelUnavailableError, match="model acme/x is not cached and the network is unreachable"
    ):
        load_cached_or_online("acme/x", loader)


def test_cached_model_loads_without_network(monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    seen: list[str | None] = []

    def loader() -> str:
        seen.append(os.environ.get("HF_HUB_OFFLINE"))
        return "model"

    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    assert load_cached_or_online("x", loader) == "model"
    assert seen == ["1"]
    assert "HF_HUB_OFFLINE" not in os.environ


def test_broken_model_is_not_blamed_on_the_network() -> None:
    def loader() -> None:
        raise ValueError("config.json has no model_type")

    with pytest.raises(
        ModelUnavailableError, match=r"could not be loaded: config.json has no model_type"
    ):
        load_cached_or_online("x", loader)


@pytest.mark.parametrize(
    ("name", "task"),
    [
        ("resnet18.a1_in1k", "image"),
        ("acme/vit-not-cached", "image"),
        ("acme/bert-not-cached", "text"),
        ("base.en", "speech"),
    ],
)
def test_real_libraries_report_uncached_models_clearly(
    name: str, task: str, monkeypatch: pytest.MonkeyPatch, tmp_path
) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path))
    with pytest.raises(ModelUnavailableError, match="is not cached and the network is unreachable"):
        loading.load(name, task)


def test_an_unreachable_hub_is_found_by_one_probe_not_by_the_clients_retries(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from huggingface_hub import constants

    from fmstudio.core import hub

    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.setenv("HF_ENDPOINT", "http://127.0.0.1:9")  # the discard port: refused at once
    monkeypatch.setattr(hub, "_unreachable_until", 0.0)
    assert hub._endpoint() == ("127.0.0.1", 9)
    assert not hub.hub_reachable()
    probes: list[object] = []
    monkeypatch.setattr(hub.socket, "create_connection", lambda *a, **k: probes.append(a))
    assert not hub.hub_reachable() and probes == [], "a failed probe is remembered a while"
    before = constants.HF_HUB_OFFLINE
    offline_flags: list[bool] = []

    def loader() -> None:
        offline_flags.append(constants.HF_HUB_OFFLINE)  # what the client checks per request
        raise LocalEntryNotFoundError("cannot find the requested files in the local cache")

    with pytest.raises(ModelUnavailableError, match="not cached and the network is unreachable"):
        load_cached_or_online("acme/x", loader)
    assert offline_flags == [True], "one cache-only attempt; no online attempt to retry"
    assert constants.HF_HUB_OFFLINE is before, "the client's own setting comes back"


def test_stop_ends_the_wait_for_a_download_that_hangs(stalled_hub: list[bytes]) -> None:
    import threading
    import time

    from fmstudio.core.errors import Cancelled
    from fmstudio.core.events import CancelToken

    cancel = CancelToken()
    cancelled_at: list[float] = []

    def stop_once_the_download_hangs() -> None:
        while not stalled_hub:
            time.sleep(0.01)
        time.sleep(0.3)
        cancelled_at.append(time.monotonic())
        cancel.cancel()

    threading.Thread(target=stop_once_the_download_hangs, daemon=True).start()
    with pytest.raises(Cancelled):
        loading.cached_load("resnet18.a1_in1k", "image", cancel=cancel)
    waited = time.monotonic() - cancelled_at[0]
    assert waited < 1.0, f"Stop waited {waited:.1f} s for the download"
    assert b"resnet18" in b"".join(stalled_hub), "the download itself was under way"


def test_a_cached_load_never_turns_a_download_beside_it_offline(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import threading
    import time

    from huggingface_hub import constants

    from fmstudio.core import hub

    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", False)
    monkeypatch.setattr(hub, "hub_reachable", lambda: True)  # this machine has no network
    downloading, cache_read = threading.Event(), threading.Event()
    seen_while_downloading: list[bool] = []

    def download() -> str:
        if constants.HF_HUB_OFFLINE:
            raise LocalEntryNotFoundError("cannot find the requested files in the local cache")
        downloading.set()
        cache_read.wait(1.0)  # the other load reads its cache now, unless it waits its turn
        seen_while_downloading.append(constants.HF_HUB_OFFLINE)
        return "downloaded"

    def cached() -> str:
        assert constants.HF_HUB_OFFLINE, "the cache-only attempt is offline"
        cache_read.set()
        time.sleep(0.2)
        return "cached"

    online = threading.Thread(target=load_cached_or_online, args=("acme/big", download))
    online.start()
    downloading.wait(5)
    assert load_cached_or_online("acme/small", cached) == "cached"
    online.join()
    assert seen_while_downloading == [False]
    assert constants.HF_HUB_OFFLINE is False, "the client's own setting comes back"
