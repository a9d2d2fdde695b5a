from __future__ import annotations

import json
from pathlib import Path

from fmstudio.core import config, paths
from fmstudio.core.atomic import atomic_target, atomic_write_text


def test_settings_round_trip(fm_home: Path) -> None:
    settings = config.Settings(device="cpu", last_folder="/data", last_tab="speech")
    config.save(settings)
    assert config.settings_path().is_relative_to(fm_home)
    loaded = config.load()
    assert loaded == settings
    assert json.loads(config.settings_path().read_text())["schema_version"] == config.SCHEMA_VERSION


def test_missing_or_broken_settings_give_defaults(fm_home: Path) -> None:
    assert config.load() == config.Settings()
    paths.ensure(config.settings_path().parent)
    config.settings_path().write_text("{not json")
    assert config.load() == config.Settings()
    kept = config.settings_path().with_name("settings.json.broken")
    assert kept.read_text() == "{not json"  # the user's file is kept beside, not lost
    assert not config.settings_path().exists()
    config.settings_path().write_text('{"device": "cuda", "unknown_key": 1}')
    assert config.load().device == "cuda"


def test_atomic_write_leaves_no_temp_files(tmp_path: Path) -> None:
    target = tmp_path / "a" / "b.txt"
    atomic_write_text(target, "one")
    atomic_write_text(target, "two")
    assert target.read_text() == "two"
    assert [p.name for p in target.parent.iterdir()] == ["b.txt"]


def test_dirs_follow_fmstudio_home(fm_home: Path) -> None:
    for folder in (paths.config_dir(), paths.data_dir(), paths.log_dir(), paths.models_dir()):
        assert folder.is_relative_to(fm_home)


def test_failed_write_keeps_the_old_file(tmp_path: Path) -> None:
    target = tmp_path / "keep.txt"
    atomic_write_text(target, "precious")
    try:
        with atomic_target(target) as tmp:
            tmp.write_text("half")
            raise RuntimeError("crash mid-write")
    except RuntimeError:
        pass
    assert target.read_text() == "precious"
    assert [p.name for p in tmp_path.iterdir()] == ["keep.txt"]
    assert target.stat().st_mode & 0o044  # readable by others, like any file the user saves


def test_a_version_1_file_keeps_each_tasks_model_and_top_k(fm_home: Path) -> None:
    """Settings before the task table kept one field per task; an upgrade keeps the choices."""
    paths.ensure(config.settings_path().parent)
    old = {
        "schema_version": 1,
        "image_model": "resnet50.a1_in1k",
        "text_model": "my-text-model",
        "speech_model": "whisper-base",
        "image_top_k": 3,
        "text_top_k": 7,
        "device": "cpu",
    }
    config.settings_path().write_text(json.dumps(old))
    loaded = config.load()
    assert loaded.model("image") == "resnet50.a1_in1k"
    assert loaded.model("text") == "my-text-model"
    assert loaded.model("speech") == "whisper-base"
    assert (loaded.top_k_of("image"), loaded.top_k_of("text")) == (3, 7)
    assert loaded.device == "cpu"
    config.save(loaded)
    saved = json.loads(config.settings_path().read_text())
    assert saved["models"]["image"] == "resnet50.a1_in1k" and "image_model" not in saved
    assert config.load() == loaded


def test_a_task_without_a_choice_uses_its_default_model(fm_home: Path) -> None:
    from fmstudio.core import catalog

    settings = config.Settings()
    assert settings.model("image") == catalog.default_model("image")
    settings.remember_model("image", "resnet50.a1_in1k")
    assert settings.model("image") == "resnet50.a1_in1k"
    assert settings.model("text") == catalog.default_model("text")


def test_each_kind_of_dialog_remembers_its_own_folder(fm_home) -> None:
    """One "last folder" was shared by every dialog: the wizard's dataset folder opened where
    the Image tab's photos were."""
    settings = config.Settings()
    settings.remember_folder("open:image", "/photos")
    settings.remember_folder("data:speech", "/voice-dataset")
    assert settings.folder("open:image") == "/photos"
    assert settings.folder("data:speech") == "/voice-dataset"
    assert settings.folder("open:text") == "/voice-dataset"  # never used: the last one
    config.save(settings)
    assert config.load().folder("open:image") == "/photos"
