"""The litellm layer, through litellm itself with ``mock_response`` (no model needed): retries,
backoff, usage, streaming, structured output and the errors a user sees."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from pydantic import BaseModel, Field

from inquirer.errors import LLMError, UnfitOutput
from inquirer.llm import LiteLLM, LLMConfig, _litellm

MESSAGES = [{"role": "user", "content": "Say something."}]


class Verdict(BaseModel):
    supported: bool
    reason: str = Field(max_length=80)


def scripted(*replies: Any) -> tuple[Callable[..., Any], list[dict[str, Any]]]:
    """A completion function that answers each call with the next reply, through litellm's
    own mock path (a string is the model's text, an exception is raised by litellm)."""
    litellm = _litellm()
    queue = list(replies)
    seen: list[dict[str, Any]] = []

    def completion(**kwargs: Any) -> Any:
        seen.append(kwargs)
        return litellm.completion(**kwargs, mock_response=queue.pop(0))

    return completion, seen


def model(completion: Callable[..., Any], **config: Any) -> LiteLLM:
    return LiteLLM(
        LLMConfig(model="openai/test-model", backoff=0.01, **config), completion=completion
    )


def timeout() -> Exception:
    error: Exception = _litellm().Timeout(
        message="timed out", model="test-model", llm_provider="openai"
    )
    return error


def test_complete_records_usage() -> None:
    completion, seen = scripted("Hello there.")
    llm = model(completion)
    done = llm.complete(MESSAGES, max_tokens=20)
    assert done.text == "Hello there."
    assert llm.usage.calls == 1 and llm.usage.completion_tokens > 0
    assert seen[0]["max_tokens"] == 20 and seen[0]["temperature"] == 0.0


def test_transient_failures_are_retried_with_backoff() -> None:
    completion, seen = scripted(timeout(), timeout(), "Finally.")
    llm = model(completion, retries=2)
    assert llm.complete(MESSAGES, max_tokens=20).text == "Finally."
    assert len(seen) == 3 and llm.usage.retries == 2


def test_retries_run_out_into_a_clear_retryable_error() -> None:
    completion, seen = scripted(timeout(), timeout())
    with pytest.raises(LLMError) as info:
        model(completion, retries=1).complete(MESSAGES, max_tokens=20)
    assert info.value.retryable and "Timeout" in info.value.message
    assert "reachable" in (info.value.hint or "")
    assert len(seen) == 2


def test_a_refused_key_is_not_retried() -> None:
    error = _litellm().AuthenticationError(message="bad key", model="m", llm_provider="openai")
    completion, seen = scripted(error, "never")
    with pytest.raises(LLMError) as info:
        model(completion, retries=3).complete(MESSAGES, max_tokens=20)
    assert not info.value.retryable and "API key" in (info.value.hint or "")
    assert len(seen) == 1


def test_stream_delivers_text_in_pieces() -> None:
    completion, _ = scripted("one two three four five six")
    pieces: list[str] = []
    done = model(completion).stream(MESSAGES, max_tokens=50, on_text=pieces.append)
    assert len(pieces) > 1 and "".join(pieces) == done.text == "one two three four five six"
    assert done.first_token_seconds is not None


def test_structured_output_is_validated_and_malformed_json_retried() -> None:
    completion, seen = scripted(
        '{"supported": tr',  # cut off
        '{"supported": "maybe", "reason": "x"}',  # wrong type
        '{"supported": true, "reason": "the note says so"}',
    )
    verdict, _ = model(completion, retries=2).structured(MESSAGES, Verdict, max_tokens=40)
    assert verdict == Verdict(supported=True, reason="the note says so")
    schema = seen[0]["response_format"]["json_schema"]["schema"]
    assert schema["properties"]["reason"]["maxLength"] == 80


def test_structured_output_that_never_fits_says_so() -> None:
    completion, _ = scripted("not json", "still not json")
    with pytest.raises(LLMError) as info:
        model(completion, retries=1).structured(MESSAGES, Verdict, max_tokens=40)
    assert "does not fit Verdict" in info.value.message and info.value.retryable


def test_a_server_that_cannot_parse_its_own_constrained_output_is_output_that_does_not_fit() -> (
    None
):
    # llama.cpp's server, as an internal error, for a schema-bound call (full suite, q003)
    said = "The model produced output that does not match the expected peg-native format"
    error = _litellm().InternalServerError(message=said, model="m", llm_provider="openai")
    completion, seen = scripted(error, error)
    with pytest.raises(UnfitOutput) as info:
        model(completion, retries=1).structured(MESSAGES, Verdict, max_tokens=40)
    assert "does not fit its form" in info.value.message and len(seen) == 2
    # any other internal error stays what it was: the server's, not the output's
    other = _litellm().InternalServerError(
        message="out of memory", model="m", llm_provider="openai"
    )
    completion, _ = scripted(other)
    with pytest.raises(LLMError) as plain:
        model(completion, retries=0).structured(MESSAGES, Verdict, max_tokens=40)
    assert not isinstance(plain.value, UnfitOutput)


def test_structured_output_can_stream_its_json() -> None:
    reply = '{"supported": false, "reason": "the note gives another number"}'
    completion, seen = scripted(reply)
    partials: list[str] = []
    verdict, done = model(completion).structured(
        MESSAGES, Verdict, max_tokens=40, on_partial=partials.append
    )
    assert verdict == Verdict(supported=False, reason="the note gives another number")
    assert len(partials) > 1 and partials[-1] == reply and reply.startswith(partials[0])
    assert seen[0]["stream"] is True and "response_format" in seen[0]
    assert done.first_token_seconds is not None
