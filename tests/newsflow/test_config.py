from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from newsflow.config import ConfigError, Settings, load_settings
from tests.conftest import ROOT


def test_defaults_without_files(tmp_path: Path) -> None:
    assert load_settings(tmp_path) == Settings()


def test_newsflow_toml_wins_over_pyproject_and_overrides_win_over_both(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.newsflow]\nshard_size = 7\n")
    assert load_settings(tmp_path).shard_size == 7
    (tmp_path / "newsflow.toml").write_text("shard_size = 9\nwrap_fill_ratio = 1\n")
    assert load_settings(tmp_path).shard_size == 9
    assert load_settings(tmp_path).wrap_fill_ratio == 1.0
    assert load_settings(tmp_path, shard_size=11).shard_size == 11


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("shard_sise = 3\n", "unknown setting"),
        ("shard_size = 'many'\n", "shard_size must be int"),
        ("shard_size = 0\n", "shard_size must be >= 1"),
        ("short_line_ratio = 1.5\n", "short_line_ratio must be in"),
        ("shard_size = [\n", "cannot parse"),
    ],
)
def test_invalid_configuration_is_a_clear_error(tmp_path: Path, content: str, message: str) -> None:
    (tmp_path / "newsflow.toml").write_text(content)
    with pytest.raises(ConfigError, match=message):
        load_settings(tmp_path)


def test_every_setting_is_documented_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text()
    for field in dataclasses.fields(Settings):
        assert f"| `{field.name}` | `{field.default!r}`".replace("'", '"') in readme, field.name
