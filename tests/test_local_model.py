"""The embedded model end to end: the packaged GGUF assembled and verified, llama.cpp's server
started in process, and litellm's three calls against it (the real 0.5B model)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Literal

import pytest
from pydantic import BaseModel, Field

from inquirer import local_model
from inquirer.errors import LLMError
from inquirer.llm import LiteLLM, LLMConfig

pytestmark = pytest.mark.slow
SMALL = local_model.MODELS["qwen2.5-coder-0.5b"]


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("models")


@pytest.fixture(scope="module")
def llm(cache: Path) -> Iterator[LiteLLM]:
    yield LiteLLM(LLMConfig(model="local/qwen2.5-coder-0.5b", cache=cache, timeout=300))
    local_model.shutdown()


def test_assembly_is_verified_once_and_a_changed_file_is_redone(cache: Path) -> None:
    gguf = local_model.assemble(SMALL, cache)
    assert gguf.stat().st_size == sum(p.stat().st_size for p in local_model._part_paths(SMALL))
    record = json.loads((cache / f"{SMALL.file_name}.verified.json").read_text())
    assert record["sha256"] == SMALL.sha256
    stamp = gguf.stat().st_mtime_ns
    assert local_model.assemble(SMALL, cache) == gguf and gguf.stat().st_mtime_ns == stamp
    with gguf.open("r+b") as f:  # tamper: the record no longer matches, so it is rebuilt
        f.seek(1000)
        f.write(b"\0\0\0\0")
    local_model.assemble(SMALL, cache)
    assert gguf.stat().st_mtime_ns != stamp


def test_a_corrupt_part_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake = tmp_path / "part.bin"
    fake.write_bytes(b"not the model")
    monkeypatch.setattr(local_model, "_part_paths", lambda model: [fake])
    with pytest.raises(LLMError, match="does not match its checksum") as info:
        local_model.assemble(SMALL, tmp_path / "cache")
    assert "--force-reinstall" in (info.value.hint or "")
    assert not list((tmp_path / "cache").glob("*.gguf*"))  # nothing unverified is left


def test_unknown_and_missing_models_say_how_to_install() -> None:
    with pytest.raises(LLMError, match="unknown local model"):
        local_model.lookup("local/gpt-9")
    big = local_model.MODELS["qwen2.5-coder-1.5b"]
    if not big.installed():
        with pytest.raises(LLMError, match="not installed") as info:
            local_model.lookup("local/qwen2.5-coder-1.5b")
        assert "model-1-5b" in (info.value.hint or "")
    assert local_model.best_installed().startswith("local/qwen2.5-coder-")


def test_complete_stream_and_structured_on_the_local_model(llm: LiteLLM) -> None:
    done = llm.complete([{"role": "user", "content": "Reply with the word: ready"}], max_tokens=8)
    assert done.text.strip() and done.completion_tokens > 0
    pieces: list[str] = []
    streamed = llm.stream(
        [{"role": "user", "content": "Count from one to five in words."}],
        max_tokens=24,
        on_text=pieces.append,
    )
    assert len(pieces) > 1 and "".join(pieces) == streamed.text
    assert streamed.first_token_seconds is not None
    assert streamed.first_token_seconds < streamed.seconds

    class Pick(BaseModel):
        note: Literal["calibration", "reward-hacking"]
        why: str = Field(max_length=60)

    pick, _ = llm.structured(
        [{"role": "user", "content": "Which note is about proxy rewards being exploited?"}],
        Pick,
        max_tokens=60,
    )
    assert pick.note in ("calibration", "reward-hacking")  # the schema allows nothing else
    assert llm.usage.calls == 3 and llm.usage.seconds > 0


def test_one_server_per_process(llm: LiteLLM, cache: Path) -> None:
    llm.complete([{"role": "user", "content": "Hi"}], max_tokens=2)
    first = local_model.api_base("local/qwen2.5-coder-0.5b", cache)
    assert local_model.api_base("local/qwen2.5-coder-0.5b", cache) == first
    assert first.startswith("http://127.0.0.1:")


def test_a_shared_prompt_opening_is_reused_from_the_servers_cache(llm: LiteLLM) -> None:
    opening = "Notes: " + " ".join(f"note {i} says the format is learned." for i in range(40))
    before = llm.usage.cached_tokens
    for task in ("Task: say yes.", "Task: say no."):
        llm.complete([{"role": "user", "content": f"{opening}\n{task}"}], max_tokens=2)
    assert llm.usage.cached_tokens - before > 200  # the second call reused the opening
