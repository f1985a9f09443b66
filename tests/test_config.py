from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from inquirer.cli import cli
from inquirer.config import load_settings
from inquirer.errors import ConfigError


def test_defaults_put_all_state_under_home(home: Path) -> None:
    loaded = load_settings()
    settings = loaded.settings
    assert settings.home_dir == home
    assert settings.index_dir == home / "index"
    assert settings.corpus_paths == [Path("corpus")]
    assert loaded.origins["search_k"] == "default"
    assert loaded.origins["home"] == "env INQUIRER_HOME"


def test_precedence_file_then_env_then_command_line(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home.mkdir()
    (home / "config.toml").write_text(
        'search_k = 7\nchunk_words = 99\nembedding_model = "from-file"\ncorpus_paths = ["a", "b"]\n'
    )
    monkeypatch.setenv("INQUIRER_CHUNK_WORDS", "120")
    monkeypatch.setenv("INQUIRER_EMBEDDING_MODEL", "from-env")
    loaded = load_settings(embedding_model="from-flag")
    s = loaded.settings
    assert (s.search_k, s.chunk_words, s.embedding_model) == (7, 120, "from-flag")
    assert s.corpus_paths == [Path("a"), Path("b")]
    assert loaded.origins["search_k"] == f"file {home / 'config.toml'}"
    assert loaded.origins["chunk_words"] == "env INQUIRER_CHUNK_WORDS"
    assert loaded.origins["embedding_model"] == "command line"


def test_explicit_config_file_and_env_config(
    tmp_path: Path, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "other.toml"
    path.write_text("search_k = 3\n")
    assert load_settings(path).settings.search_k == 3
    monkeypatch.setenv("INQUIRER_CONFIG", str(path))
    assert load_settings().settings.search_k == 3


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("search_k = ", "invalid TOML"),
        ("serch_k = 3", "unknown setting(s): serch_k"),
        ("search_k = 0", "search_k (file"),
        ('collection = "ab"', "collection (file"),
        ('store_mode = "cloud"', "store_mode (file"),
    ],
)
def test_bad_config_file_is_a_clear_error(home: Path, content: str, message: str) -> None:
    home.mkdir()
    (home / "config.toml").write_text(content + "\n")
    with pytest.raises(ConfigError) as info:
        load_settings()
    assert message in str(info.value)


def test_bad_env_value_names_the_variable(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INQUIRER_SERVER_PORT", "not-a-port")
    with pytest.raises(ConfigError, match=r"server_port \(env INQUIRER_SERVER_PORT\)"):
        load_settings()


def test_missing_explicit_config_file(tmp_path: Path, home: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        load_settings(tmp_path / "none.toml")


def test_config_command_prints_values_and_origins(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("INQUIRER_SEARCH_K", "9")
    result = CliRunner().invoke(cli, ["config"])
    assert result.exit_code == 0
    line = next(ln for ln in result.output.splitlines() if ln.startswith("search_k"))
    assert "9" in line and "env INQUIRER_SEARCH_K" in line
    assert "config file: none" in result.output
