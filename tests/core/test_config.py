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
