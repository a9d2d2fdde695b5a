"""Training a sound classifier from class folders: the scan's checks, head and full modes on
the real sound-effects CNN, the saved model in the Sound tab's classify job, evaluation,
retraining from it, and its ONNX export run from its README in a plain Python."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from fmstudio.core import catalog, loading
from fmstudio.core.classify.evaluate import evaluate_model
from fmstudio.core.classify.scan import scan
from fmstudio.core.classify.train_job import fine_tune
from fmstudio.core.data.audio import load_audio
from fmstudio.core.events import run_to_end
from fmstudio.core.export.job import export_model
from fmstudio.core.requests import Evaluate, Export
from fmstudio.core.sound.classifier import SoundClassifier
from fmstudio.core.sound.classify import classify_sounds
from fmstudio.core.sound.requests import ClassifySounds
from fmstudio.core.train.spec import TrainSpec
from tests.datasets import make_sound_folder, sound, write_wav


@pytest.fixture(scope="module")
def sounds(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_sound_folder(tmp_path_factory.mktemp("sounds") / "data")


@pytest.fixture(scope="module")
def held_out(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """One new clip of each kind, made with seeds the training clips never used."""
    root = tmp_path_factory.mktemp("held-out")
    return {
        kind: write_wav(root / f"{kind}.wav", sound(kind, 2.5, 9000 + i))
        for i, kind in enumerate(("tone", "noise", "chirp"))
    }


def _video_without_audio(path: Path) -> Path:
    import av

    with av.open(str(path), "w") as container:
        stream = container.add_stream("mpeg4", rate=10)
        stream.width, stream.height, stream.pix_fmt = 32, 32, "yuv420p"
        for i in range(5):
            frame = av.VideoFrame.from_ndarray(
                np.full((32, 32, 3), i * 40, np.uint8), format="rgb24"
            )
            container.mux(stream.encode(frame))
        container.mux(stream.encode())
    return path


def test_the_scan_names_each_unusable_clip_and_keeps_odd_but_good_ones(tmp_path: Path) -> None:
    root = make_sound_folder(tmp_path / "data", per_class=3)
    write_wav(root / "tone" / "silence.wav", np.zeros(44_100))
    write_wav(root / "tone" / "blip.wav", sound("tone", 0.01, 1))
    write_wav(root / "tone" / "beep.wav", sound("tone", 0.1, 2))
    (root / "noise" / "broken.wav").write_bytes(b"RIFF\x00\x00\x00\x00WAVEjunk")
    _video_without_audio(root / "chirp" / "silent-film.mp4")
    six = np.stack([sound("noise", 1.5, 50 + c) for c in range(6)], axis=1)
    write_wav(root / "noise" / "surround.wav", six)
    write_wav(root / "chirp" / "phone.wav", sound("chirp", 2.0, 60, rate=8000), rate=8000)
    (root / "bell").mkdir()
    write_wav(root / "bell" / "ding.wav", sound("tone", 1.0, 70))

    report = scan(root, "sound")
    reasons = {Path(s.path).name: s.reason for s in report.skipped}
    assert reasons["silence.wav"].startswith("silent")
    assert reasons["blip.wav"].startswith("too short (0.01 s")
    assert "not a readable audio file" in reasons["broken.wav"]
    assert reasons["silent-film.mp4"].startswith("no audio track in the file")
    assert reasons["ding.wav"] == "the only example of class 'bell'"
    assert any("'bell' has 1 example" in w and "ding.wav" in w for w in report.warnings)
    kept = {Path(s.path).name: s for s in report.train + report.val}
    assert {"surround.wav", "phone.wav", "beep.wav"} <= set(kept)  # 6 channels, 8 kHz, 0.1 s
    assert any("shorter than 0.25 s" in w and "beep.wav, 0.10 s" in w for w in report.warnings)
    assert kept["phone.wav"].seconds == pytest.approx(2.0, abs=0.01)
    assert report.ok and report.classes == ["chirp", "noise", "tone"]
    assert "min)" in report.summary()  # minutes per class


def _train(data: Path, output: Path, **options) -> object:
    spec = TrainSpec("sound", str(data), str(output), seed=0, **options)
    return run_to_end(fine_tune(spec))


def _heard(model: object, files: dict[str, Path]) -> dict[str, str]:
    request = ClassifySounds(tuple(str(p) for p in files.values()), model, top_k=1)
    results = run_to_end(classify_sounds(request))
    return {kind: r.top.label for kind, r in zip(files, results, strict=True) if r.top}


def test_head_mode_learns_the_classes_and_the_tab_hears_new_clips_with_it(
    sounds: Path, held_out: dict[str, Path], tmp_path: Path
) -> None:
    result = _train(sounds, tmp_path / "kinds", mode="head", epochs=30)
    assert result.evaluation is not None and result.evaluation.accuracy == 1.0
    model = loading.load(str(result.folder), "sound")
    assert isinstance(model, SoundClassifier) and model.labels == ["chirp", "noise", "tone"]
    assert _heard(model, held_out) == {kind: kind for kind in held_out}
    fast = loading.cached_load(str(result.folder), "sound")  # as the tab loads it
    assert fast.runtime == "ONNX Runtime on CPU"
    clip = load_audio(held_out["noise"], fast.sample_rate)
    assert np.allclose(fast.hear(clip).scores, model.hear(clip).scores, atol=1e-4)
    evaluated = run_to_end(evaluate_model(Evaluate("sound", str(result.folder), str(sounds))))
    assert evaluated.evaluation.accuracy == 1.0 and len(evaluated.results) == 18


def test_full_mode_trains_the_network_and_retrains_from_its_own_result(
    sounds: Path, held_out: dict[str, Path], tmp_path: Path
) -> None:
    first = _train(sounds, tmp_path / "first", mode="full", epochs=3)
    assert first.evaluation is not None and first.evaluation.accuracy >= 0.8
    pretrained = catalog.resolve("sfx-cnn", "sound")
    assert not pretrained.tries and pretrained.trainable
    again = _train(sounds, tmp_path / "again", mode="head", epochs=30, base=str(first.folder))
    assert _heard(loading.load(str(again.folder), "sound"), held_out) == {
        kind: kind for kind in held_out
    }


def test_an_export_runs_from_its_readme_and_agrees_with_the_tab(
    sounds: Path, held_out: dict[str, Path], tmp_path: Path
) -> None:
    result = _train(sounds, tmp_path / "kinds", mode="head", epochs=30)
    exported = run_to_end(export_model(Export(str(result.folder), "onnx", str(tmp_path / "x"))))
    assert exported.largest_difference < 1e-3
    meta = json.loads((tmp_path / "x" / "fmstudio-export.json").read_text())
    assert meta["labels"] == ["chirp", "noise", "tone"]
    (tmp_path / "recording.wav").write_bytes(held_out["chirp"].read_bytes())
    readme = (tmp_path / "x" / "README.md").read_text(encoding="utf-8")
    code = re.search(r"```python\n(.*?)```", readme, re.S)
    assert code is not None
    done = subprocess.run(
        [sys.executable, "-c", code.group(1)], cwd=tmp_path, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    label, score = done.stdout.split()
    ours = run_to_end(
        classify_sounds(ClassifySounds((str(tmp_path / "recording.wav"),), str(result.folder)))
    )
    assert ours[0].top is not None and label == ours[0].top.label == "chirp"
    assert float(score) == pytest.approx(ours[0].top.score, abs=0.01)
    card = (result.folder / "README.md").read_text(encoding="utf-8")
    loads = re.findall(r"```python\n(.*?)```", card, re.S)[-1]
    done = subprocess.run(
        [sys.executable, "-c", loads.replace("path/to/this-folder", str(result.folder))],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("(Prediction(label='chirp'")


def test_an_audit_of_recordings_names_a_misfiled_clip(sounds: Path, tmp_path: Path) -> None:
    """The audit embeds recordings with the sound network as it does images and texts."""
    import shutil

    from fmstudio.core.audit.job import audit
    from fmstudio.core.requests import Audit

    data = tmp_path / "kinds"
    shutil.copytree(sounds, data)
    shutil.move(data / "tone" / "tone4.wav", data / "chirp" / "misfiled.wav")
    found = run_to_end(audit(Audit(str(data), "sound"))).to_json()
    top = found["suspects"][0]
    assert Path(top["path"]).name == "misfiled.wav"
    assert (top["given"], top["suggested"]) == ("chirp", "tone")
