"""Shared fixtures: offscreen Qt, an isolated FMSTUDIO_HOME, no thread left running."""

from __future__ import annotations

import atexit
import gc
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from fmstudio.core import loading

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
if "FMSTUDIO_CACHE" not in os.environ:  # one joined Whisper base for the whole run
    os.environ["FMSTUDIO_CACHE"] = tempfile.mkdtemp(prefix="fmstudio-test-cache-")
    atexit.register(shutil.rmtree, os.environ["FMSTUDIO_CACHE"], True)


def pytest_unconfigure(config: pytest.Config) -> None:
    """Let models that tabs preload on background threads finish before the interpreter
    exits: one still inside CTranslate2 then aborts the process ("terminate called without
    an active exception"), which the app avoids in `ui/app._leave`. A test run alone ended
    that way, its test passed."""
    from fmstudio.core.events import background_settled

    background_settled(timeout=120)


@pytest.fixture(autouse=True)
def fm_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Config, data and logs go to a temp folder, never the developer's real ones."""
    home = tmp_path / "fmhome"
    monkeypatch.setenv("FMSTUDIO_HOME", str(home))
    return home


@pytest.fixture(autouse=True)
def no_thread_left_running(request: pytest.FixtureRequest):
    yield
    if "qtbot" not in request.fixturenames and "qapp" not in request.fixturenames:
        return
    from fmstudio.ui.worker import Worker

    running = Worker.running()
    for worker in running:
        worker.cancel()
        worker.wait(30_000)
    # Collect the test's Qt wrappers here, on the GUI thread: a collection that happens to
    # run later on a decode thread would destroy Qt objects from the wrong thread.
    gc.collect()
    assert not running, f"test left {len(running)} worker thread(s) running"


@pytest.fixture(scope="session")
def speech_wav(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A real spoken sentence made with espeak-ng, and the words it says."""
    if shutil.which("espeak-ng") is None:
        pytest.fail("espeak-ng is missing: `make setup` installs it (apt-get install espeak-ng)")
    text = "The quick brown fox jumps over the lazy dog"
    path = tmp_path_factory.mktemp("speech") / "fox.wav"
    subprocess.run(["espeak-ng", "-s", "140", "-w", str(path), text], check=True)
    return path, text


@pytest.fixture(scope="session")
def long_speech(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """About 70 s of espeak-ng speech: plain sentences, said slowly."""
    from fmstudio.core.data.audio import SAMPLE_RATE, load_audio
    from fmstudio.core.speech import long_files
    from tests.datasets import PLAIN_SENTENCES, espeak

    folder = tmp_path_factory.mktemp("long")
    clips = [str(espeak(folder / f"{i}.wav", s, speed=130)) for i, s in enumerate(PLAIN_SENTENCES)]
    path = folder / "long.wav"
    subprocess.run(["sox", *clips, str(path)], check=True)
    assert len(load_audio(path)) / SAMPLE_RATE > long_files.LONG_FILE_SECONDS
    return path, " ".join(PLAIN_SENTENCES)


@pytest.fixture(scope="session")
def photo_like_image(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real photograph shipped with scikit-learn (a flower close-up), saved as PNG."""
    from PIL import Image
    from sklearn.datasets import load_sample_image

    path = tmp_path_factory.mktemp("images") / "flower.png"
    Image.fromarray(load_sample_image("flower.jpg")).save(path)
    return path


@pytest.fixture(scope="session")
def tiny_image_base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from tests.datasets import make_tiny_image_base

    return make_tiny_image_base(tmp_path_factory.mktemp("tiny-effnet"))


@pytest.fixture(scope="session")
def tiny_text_base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from tests.datasets import make_tiny_text_base

    return make_tiny_text_base(tmp_path_factory.mktemp("tiny-bert"))


@pytest.fixture(scope="session")
def image_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from tests.datasets import make_image_folder

    return make_image_folder(tmp_path_factory.mktemp("colours"))


@pytest.fixture(scope="session")
def text_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from tests.datasets import make_text_folder

    return make_text_folder(tmp_path_factory.mktemp("topics"))


@pytest.fixture(scope="session")
def clip_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Twelve espeak-ng clips with their transcripts, as a Hugging Face audiofolder."""
    if shutil.which("espeak-ng") is None:
        pytest.fail("espeak-ng is missing: `make setup` installs it (apt-get install espeak-ng)")
    from tests.datasets import make_clip_folder

    return make_clip_folder(tmp_path_factory.mktemp("clips"))


@pytest.fixture(scope="session")
def tiny_whisper_base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from tests.datasets import make_tiny_whisper_base

    return make_tiny_whisper_base(tmp_path_factory.mktemp("tiny-whisper"))


@pytest.fixture
def hung_sound_system(monkeypatch: pytest.MonkeyPatch):
    """PortAudio that never finishes starting, as a stale JACK lock in /dev/shm leaves it
    (this machine's PortAudio cannot be made to hang on purpose); released on teardown."""
    import threading

    from fmstudio.core.data import inputs

    hung = threading.Event()

    def portaudio_starting() -> inputs.Inputs:
        hung.wait(60)
        return inputs.Inputs(None)

    monkeypatch.setattr(inputs, "_inputs", portaudio_starting)
    yield
    hung.set()


@pytest.fixture
def stalled_hub(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    """A model hub that accepts connections and never answers, as a download does when the
    network hangs; an empty hub cache, so nothing is found locally. Yields the requests it
    has received; on teardown it closes every connection and waits for abandoned loads."""
    import socket
    import threading

    from huggingface_hub import constants

    from fmstudio.core import hub

    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(0.1)
    requests: list[bytes] = []
    connections: list[socket.socket] = []
    closing = threading.Event()

    def serve() -> None:
        while not closing.is_set():
            try:
                connection, _ = server.accept()
            except TimeoutError:
                continue
            connections.append(connection)
            connection.settimeout(1.0)
            try:
                if request := connection.recv(4096):  # the reachability probe sends nothing
                    requests.append(request)
            except TimeoutError:
                pass

    url = f"http://127.0.0.1:{server.getsockname()[1]}"
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", False)  # read at import, from our env
    monkeypatch.setenv("HF_ENDPOINT", url)
    monkeypatch.setattr(constants, "ENDPOINT", url)
    monkeypatch.setattr(
        constants, "HUGGINGFACE_CO_URL_TEMPLATE", url + "/{repo_id}/resolve/{revision}/{filename}"
    )
    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(tmp_path / "hub-cache"))
    monkeypatch.setattr(hub, "_unreachable_until", 0.0)
    thread = threading.Thread(target=serve, name="stalled hub", daemon=True)
    thread.start()
    yield requests
    closing.set()
    thread.join()
    for connection in connections:
        connection.close()
    server.close()
    deadline = time.monotonic() + 60
    while loading._loading and time.monotonic() < deadline:  # the abandoned load fails now
        time.sleep(0.05)
    assert not loading._loading, "an abandoned load never ended"


@pytest.fixture(scope="module")
def sound(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """A private PulseAudio (tests/pulse.py) that the module's tests reach, and only they."""
    from tests import pulse

    why = pulse.missing()
    if why:
        pytest.fail(f"{why}: scripts/system-deps.sh installs them")
    root = tmp_path_factory.mktemp("pulse")
    with pulse.server(root) as env, pytest.MonkeyPatch.context() as patch:
        for key, value in env.items():
            patch.setenv(key, value)
        _restart_portaudio()  # it lists devices once: now with the server's
        yield env
    _restart_portaudio()  # and without it again, for the tests that follow


def _restart_portaudio() -> None:
    import sounddevice

    sounddevice._terminate()
    sounddevice._initialize()
