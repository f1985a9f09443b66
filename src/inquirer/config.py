"""Settings: defaults < TOML config file < INQUIRER_* environment < command-line flags.

Built once at the edge (CLI, TUI) and passed down; nothing reads the environment elsewhere.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from .errors import ConfigError

ENV_PREFIX = "INQUIRER_"
JudgeKind = Literal["llm", "nli", "factcheck"]
DEFAULT_HOME = Path("~/.inquirer")


class Settings(BaseSettings):
    """Every knob inquirer has. INQUIRER_HOME holds all state (index, model cache, history)."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="forbid", frozen=True)

    home: Path = Field(DEFAULT_HOME, description="folder for all state: index, models, history")
    corpus_paths: list[Path] = Field(
        default_factory=lambda: [Path("corpus")], description="folders of notes to index"
    )
    store_mode: Literal["embedded", "server"] = Field(
        "embedded", description="embedded Chroma under home, or a 'chroma run' server"
    )
    store_path: Path | None = Field(None, description="embedded store folder (default home/index)")
    server_host: str = Field("localhost", description="Chroma server host (server mode)")
    server_port: int = Field(8000, ge=1, le=65535, description="Chroma server port (server mode)")
    collection: str = Field("inquirer-notes", description="Chroma collection name")
    embedding_model: str = Field(
        "all-MiniLM-L6-v2", description="sentence-transformers model id or path"
    )
    embedding_batch_size: int = Field(64, ge=1, le=4096, description="texts per embedding batch")
    chunk_words: int = Field(160, ge=20, le=2000, description="body words per chunk")
    index_write_chunks: int = Field(
        256, ge=1, le=100_000, description="chunks per store write; a stop loses at most one"
    )
    index_lock_wait: float = Field(
        600.0, ge=0, le=86_400, description="seconds an index run waits for another to finish"
    )
    search_k: int = Field(5, ge=1, le=1000, description="hits returned by search")
    search_mode: Literal["dense", "bm25", "hybrid"] = Field(
        "hybrid", description="dense vectors, BM25 words, or both fused by reciprocal rank"
    )
    search_links: bool = Field(
        True, description="raise notes linked from the top hits, at a decayed score"
    )
    link_decay: float = Field(0.5, gt=0, le=1, description="score share a top hit lends a link")
    link_parents: int = Field(3, ge=1, le=50, description="top hits whose links are followed")
    search_diversity: float = Field(
        1.0,
        ge=0,
        le=1,
        description="MMR trade-off: 1 ranks by relevance alone, lower favours different notes",
    )
    rerank_model: str = Field(
        "",
        description="rerank with a cross-encoder (model id or path), or 'llm' / 'llm:<model>' "
        "for a language model ('' = no rerank)",
    )
    rerank_depth: int = Field(30, ge=1, le=500, description="fused candidates the reranker sees")
    model: str = Field(
        "",
        description="answering model: local/<name>, or any litellm model string "
        "('' = the best local model installed)",
    )
    llm_api_base: str | None = Field(None, description="API base URL for the model's provider")
    llm_api_key: str | None = Field(None, description="API key for the model's provider")
    llm_timeout: float = Field(120.0, gt=0, description="seconds before a model call times out")
    llm_retries: int = Field(2, ge=0, le=10, description="retries of a failed model call")
    llm_threads: int | None = Field(None, ge=1, description="CPU threads for the local model")
    llm_parallel: int = Field(
        1, ge=1, le=64, description="requests the local model serves at once (batch raises it)"
    )
    agent_searches: int = Field(
        4, ge=1, le=10, description="searches the agent runs per question (the question first)"
    )
    agent_reads: int = Field(
        12, ge=1, le=50, description="notes the agent reads and judges per question, at most"
    )
    agent_enough: int = Field(
        7,
        ge=1,
        le=50,
        description="relevant notes in hand at which the agent stops reading (more = more "
        "sources a line can cite, and slower lines)",
    )
    agent_judge: Literal["cosine", "model"] = Field(
        "cosine",
        description="how the agent finds a read note relevant: by the cosine of the note's "
        "question and claim to the one asked, or by the answering model's verdict",
    )
    compose_insight: Literal["auto", "on", "off"] = Field(
        "auto",
        description="whether lines close with an insight: 'auto' asks every model but the "
        "embedded local ones, none of whose 14 insights on the dev runs was a conclusion no "
        "single note states (two joined two findings fairly; the rest echoed the question, "
        "restated one finding or conflated two); the line then has none and its verdict "
        "says why",
    )
    max_note_bytes: int = Field(1_000_000, ge=1, description="larger note files are rejected")
    follow_outside_links: bool = Field(
        False,
        description="read notes through symlinks that lead out of the corpus folders (off: "
        "such links are reported and skipped, so a link to /etc/passwd is never indexed)",
    )
    verify: bool = Field(True, description="check every line with the external verifier pass")
    verify_judges: list[JudgeKind] = Field(
        default_factory=lambda: list[JudgeKind](["llm"]),
        description="judges of support, combined by the mean of their probabilities",
    )
    verify_model: str = Field(
        "",
        description="the LLM judge's model ('' = the strongest local model installed, a "
        "different one from the answering model where that is no weaker)",
    )
    nli_model: str = Field("", description="NLI cross-encoder (model id or path) for 'nli'")
    factcheck_model: str = Field(
        "", description="Yes/No fact-checking model for 'factcheck' (e.g. ollama/bespoke-minicheck)"
    )
    verify_threshold: float | None = Field(
        None,
        ge=0,
        le=1,
        description="support probability below which a sentence is unsupported (None = the "
        "threshold calibrated for the judge on the eval sets' dev halves, else 0.5)",
    )
    verify_names: Literal["unsupported", "partial"] = Field(
        "unsupported",
        description="what a name the cited notes never mention (a model, benchmark, person) "
        "makes a sentence",
    )
    verify_confident: float | None = Field(
        None,
        ge=0,
        le=1,
        description="support probability below which a sentence is partial (None = the "
        "unsupported threshold: no band)",
    )
    verify_revise: bool = Field(True, description="rewrite or drop unsupported sentences once")
    verify_reading: Literal["fail", "report"] = Field(
        "fail",
        description="what the reading pass's findings (fragments, copies, …) do to the verdict: "
        "fail it, or only be listed in it",
    )

    @field_validator("collection")
    @classmethod
    def _collection_name(cls, value: str) -> str:
        if not 3 <= len(value) <= 63:
            raise ValueError("must be 3-63 characters long")
        return value

    @property
    def home_dir(self) -> Path:
        return self.home.expanduser()

    @property
    def models_dir(self) -> Path:
        return self.home_dir / "models"

    @property
    def index_dir(self) -> Path:
        return (self.store_path or self.home_dir / "index").expanduser()


@dataclass(frozen=True)
class LoadedSettings:
    settings: Settings
    origins: dict[str, str]
    config_file: Path | None


def _config_file(explicit: Path | None, overrides: dict[str, Any]) -> Path | None:
    if explicit is not None:
        if not explicit.is_file():
            raise ConfigError(f"config file '{explicit}' does not exist")
        return explicit
    env = os.environ.get(f"{ENV_PREFIX}CONFIG")
    if env:
        path = Path(env).expanduser()
        if not path.is_file():
            raise ConfigError(f"config file '{env}' (from {ENV_PREFIX}CONFIG) does not exist")
        return path
    home = Path(overrides.get("home") or os.environ.get(f"{ENV_PREFIX}HOME") or DEFAULT_HOME)
    default = home.expanduser() / "config.toml"
    return default if default.is_file() else None


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read config file: {exc}") from None
    unknown = sorted(set(data) - set(Settings.model_fields))
    if unknown:
        raise ConfigError(
            f"{path}: unknown setting(s): {', '.join(unknown)}",
            hint="run 'inquirer config' to list the settings",
        )
    return data


def load_settings(config_file: Path | None = None, **overrides: Any) -> LoadedSettings:
    """Build Settings from every source, and record where each value came from."""
    overrides = {k: v for k, v in overrides.items() if v is not None}
    path = _config_file(config_file, overrides)
    file_data = _read_toml(path) if path else {}

    class _FromSources(Settings):
        @classmethod
        def settings_customise_sources(
            cls,
            settings_cls: type[BaseSettings],
            init_settings: PydanticBaseSettingsSource,
            env_settings: PydanticBaseSettingsSource,
            dotenv_settings: PydanticBaseSettingsSource,
            file_secret_settings: PydanticBaseSettingsSource,
        ) -> tuple[PydanticBaseSettingsSource, ...]:
            sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
            if path is not None:
                sources.append(TomlConfigSettingsSource(settings_cls, toml_file=path))
            return tuple(sources)

    try:
        settings = _FromSources(**overrides)
    except ValidationError as exc:
        raise ConfigError(_explain(exc, path, overrides)) from None
    origins = {}
    for name in Settings.model_fields:
        env = f"{ENV_PREFIX}{name.upper()}"
        if name in overrides:
            origins[name] = "command line"
        elif env in os.environ:
            origins[name] = f"env {env}"
        elif name in file_data:
            origins[name] = f"file {path}"
        else:
            origins[name] = "default"
    return LoadedSettings(Settings.model_validate(settings.model_dump()), origins, path)


def _explain(exc: ValidationError, path: Path | None, overrides: dict[str, Any]) -> str:
    lines = ["invalid settings:"]
    for err in exc.errors():
        name = str(err["loc"][0]) if err["loc"] else "?"
        env = f"{ENV_PREFIX}{name.upper()}"
        if name in overrides:
            origin = "command line"
        elif env in os.environ:
            origin = f"env {env}"
        elif path is not None:
            origin = f"file {path}"
        else:
            origin = "default"
        lines.append(f"  {name} ({origin}): {err['msg']}")
    return "\n".join(lines)
