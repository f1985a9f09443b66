"""Language model calls: the only module that imports litellm.

``LiteLLM`` takes any litellm model string (``ollama/…``, ``openai/…`` with an ``api_base``,
hosted APIs) or ``local/<name>`` for the embedded model, which it starts on first use
(local_model.py) and reaches through litellm's OpenAI-compatible provider. Three calls:
``complete``, ``stream`` (text delivered piece by piece) and ``structured`` (output constrained
by a JSON schema and validated into a pydantic model). Each retries what can succeed on a second
try — timeouts, an unreachable or overloaded server, malformed JSON — with exponential backoff,
records token usage and the time spent inside the model, and raises LLMError, which says whether
retrying could help.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, TypeVar

from pydantic import BaseModel, ValidationError

from . import local_model
from .errors import LLMError, UnfitOutput

log = logging.getLogger(__name__)

Message = dict[str, str]
M = TypeVar("M", bound=BaseModel)


@dataclass
class Usage:
    """What the calls of one model object have cost so far."""

    calls: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    seconds: float = 0.0  # wall time inside model calls, retries and backoff excluded
    retries: int = 0
    cached_tokens: int = 0  # prompt tokens the server reused from its cache, not evaluated

    def __add__(self, other: Usage) -> Usage:
        return Usage(
            self.calls + other.calls,
            self.prompt_tokens + other.prompt_tokens,
            self.completion_tokens + other.completion_tokens,
            self.seconds + other.seconds,
            self.retries + other.retries,
            self.cached_tokens + other.cached_tokens,
        )

    def add(self, prompt: int, completion: int, seconds: float, cached: int = 0) -> None:
        self.calls += 1
        self.prompt_tokens += prompt
        self.completion_tokens += completion
        self.seconds += seconds
        self.cached_tokens += cached


@dataclass(frozen=True)
class TokenChoice:
    """One generated token with its log probability and the most likely alternatives the
    model weighed at that position (before any schema constrained the choice)."""

    token: str
    logprob: float
    top: tuple[tuple[str, float], ...] = ()


@dataclass(frozen=True)
class Completion:
    text: str
    prompt_tokens: int
    completion_tokens: int
    seconds: float
    finish_reason: str = "stop"
    first_token_seconds: float | None = None  # streaming only
    tokens: tuple[TokenChoice, ...] = ()  # only when log probabilities were asked for


class LLM(Protocol):
    """What the agent, composer and verifier need from a model."""

    model: str
    usage: Usage

    def complete(self, messages: Sequence[Message], *, max_tokens: int) -> Completion: ...

    def stream(
        self, messages: Sequence[Message], *, max_tokens: int, on_text: Callable[[str], None]
    ) -> Completion: ...

    def structured(
        self,
        messages: Sequence[Message],
        schema: type[M],
        *,
        max_tokens: int,
        on_partial: Callable[[str], None] | None = None,
        logprobs: int = 0,
        sample: int = 0,
    ) -> tuple[M, Completion]: ...


@dataclass
class LLMConfig:
    model: str
    api_base: str | None = None
    api_key: str | None = None
    timeout: float = 120.0
    retries: int = 2
    backoff: float = 1.0  # seconds before the first retry; doubles each time
    temperature: float = 0.0
    cache: Path = field(default_factory=lambda: Path.home() / ".inquirer" / "models")
    threads: int | None = None
    parallel: int = 1  # requests the local server serves at once


# what llama.cpp's server says (as an internal error) when the output of a call constrained to a
# schema does not parse as the form it expects: full suite of 2026-12-05, q003, three times over
UNPARSED = "does not match the expected"
SAMPLE_TEMPERATURE = 0.9  # for another try at a step (``structured(sample=...)``)

_RETRYABLE = (
    "Timeout",
    "APIConnectionError",
    "RateLimitError",
    "ServiceUnavailableError",
    "InternalServerError",
    "BadGatewayError",
    "APIError",
)


def _litellm() -> Any:
    # Without this litellm fetches a price list from the network at import.
    os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
    import litellm

    litellm.suppress_debug_info = True
    litellm.drop_params = True
    return litellm


def _as_llm_error(exc: Exception, model: str) -> LLMError:
    name = type(exc).__name__
    retryable = name in _RETRYABLE or isinstance(exc, (TimeoutError, ConnectionError))
    hint = None
    if name in ("AuthenticationError", "PermissionDeniedError"):
        hint = "check the API key for this provider"
    elif name in ("NotFoundError", "BadRequestError") and "model" in str(exc).lower():
        hint = "check the model name (a litellm model string such as 'ollama/qwen2.5')"
    elif name == "ContextWindowExceededError":
        hint = "the prompt is too long for this model; ask a shorter question or use fewer notes"
    elif retryable:
        hint = "is the model server running and reachable? try again, or raise llm_timeout"
    first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else name
    if UNPARSED in first_line:  # the server could not parse its own constrained output
        return UnfitOutput(
            f"{model} returned output that does not fit its form: {first_line[:300]}",
            hint="a larger model follows schemas more reliably",
        )
    return LLMError(f"{model}: {name}: {first_line[:300]}", hint=hint, retryable=retryable)


class LiteLLM:
    """A model reached through litellm; ``local/<name>`` runs the embedded model."""

    def __init__(self, config: LLMConfig, *, completion: Callable[..., Any] | None = None) -> None:
        self.config = config
        self.model = config.model
        self.usage = Usage()
        self._completion = completion  # injectable for tests (litellm's own, with mock_response)
        self._lock = threading.Lock()

    # -- plumbing -----------------------------------------------------------------------------

    def _target(self) -> dict[str, Any]:
        """The litellm model string and endpoint for this model."""
        if local_model.is_local(self.model):
            base = local_model.api_base(
                self.model,
                self.config.cache,
                threads=self.config.threads,
                parallel=self.config.parallel,
            )
            name = self.model.removeprefix(local_model.PREFIX)
            return {"model": f"openai/{name}", "api_base": base, "api_key": "local"}
        target: dict[str, Any] = {"model": self.model}
        if self.config.api_base:
            target["api_base"] = self.config.api_base
        if self.config.api_key:
            target["api_key"] = self.config.api_key
        return target

    def _call(self, **kwargs: Any) -> Any:
        completion = self._completion or _litellm().completion
        kwargs.setdefault("temperature", self.config.temperature)
        return completion(
            **self._target(),
            timeout=self.config.timeout,
            num_retries=0,  # retries are ours, so that they are counted and backed off
            **kwargs,
        )

    def _with_retries(self, attempt: Callable[[], Completion]) -> Completion:
        delay = self.config.backoff
        for number in range(self.config.retries + 1):
            try:
                return attempt()
            except LLMError as exc:
                error = exc
            except Exception as exc:  # litellm raises its own types; classify them by name
                error = _as_llm_error(exc, self.model)
            if not error.retryable or number == self.config.retries:
                raise error
            log.warning("%s (retrying in %.1f s)", error.message, delay)
            self.usage.retries += 1
            time.sleep(delay)
            delay *= 2
        raise AssertionError("unreachable")  # pragma: no cover

    def _record(self, response: Any, seconds: float) -> Completion:
        usage = getattr(response, "usage", None)
        prompt = int(getattr(usage, "prompt_tokens", 0) or 0)
        completion = int(getattr(usage, "completion_tokens", 0) or 0)
        details = getattr(usage, "prompt_tokens_details", None)
        cached = int(getattr(details, "cached_tokens", 0) or 0)
        choice = response.choices[0]
        with self._lock:
            self.usage.add(prompt, completion, seconds, cached)
        return Completion(
            text=choice.message.content or "",
            prompt_tokens=prompt,
            completion_tokens=completion,
            seconds=seconds,
            finish_reason=str(choice.finish_reason or "stop"),
            tokens=_token_choices(getattr(choice, "logprobs", None)),
        )

    # -- the three calls ----------------------------------------------------------------------

    def complete(self, messages: Sequence[Message], *, max_tokens: int) -> Completion:
        def attempt() -> Completion:
            start = time.perf_counter()
            response = self._call(messages=list(messages), max_tokens=max_tokens)
            return self._record(response, time.perf_counter() - start)

        return self._with_retries(attempt)

    def stream(
        self, messages: Sequence[Message], *, max_tokens: int, on_text: Callable[[str], None]
    ) -> Completion:
        """Deliver text to ``on_text`` as it is generated. A retry after text was delivered
        would repeat it, so only failures before the first piece are retried."""
        return self._with_retries(lambda: self._stream_once(messages, max_tokens, on_text))

    def _stream_once(
        self,
        messages: Sequence[Message],
        max_tokens: int,
        on_text: Callable[[str], None],
        **extra: Any,
    ) -> Completion:
        start = time.perf_counter()
        first: float | None = None
        parts: list[str] = []
        prompt = completion = 0
        finish = "stop"
        try:
            chunks: Iterator[Any] = self._call(
                messages=list(messages),
                max_tokens=max_tokens,
                stream=True,
                stream_options={"include_usage": True},
                **extra,
            )
            for chunk in chunks:
                usage = getattr(chunk, "usage", None)
                if usage:
                    prompt = int(getattr(usage, "prompt_tokens", 0) or prompt)
                    completion = int(getattr(usage, "completion_tokens", 0) or completion)
                if not chunk.choices:
                    continue
                choice = chunk.choices[0]
                finish = str(choice.finish_reason or finish)
                text = getattr(choice.delta, "content", None)
                if text:
                    if first is None:
                        first = time.perf_counter() - start
                    parts.append(text)
                    on_text(text)
        except Exception as exc:
            error = exc if isinstance(exc, LLMError) else _as_llm_error(exc, self.model)
            if parts:  # text has been shown: a retry would show it twice
                error.retryable = False
            raise error from exc
        seconds = time.perf_counter() - start
        with self._lock:
            self.usage.add(prompt, completion, seconds)
        return Completion("".join(parts), prompt, completion, seconds, finish, first)

    def structured(
        self,
        messages: Sequence[Message],
        schema: type[M],
        *,
        max_tokens: int,
        on_partial: Callable[[str], None] | None = None,
        logprobs: int = 0,
        sample: int = 0,
    ) -> tuple[M, Completion]:
        """Output constrained to ``schema``'s JSON schema and validated into it. Output that
        does not parse or validate (cut off at max_tokens, say) is retried, then reported.
        With ``on_partial``, the output streams: it is called with the JSON text so far after
        every piece, so a caller can show each part as soon as it is complete. With
        ``logprobs`` > 0 (not streamed), the completion carries each token's log probability
        and that many alternatives (``Completion.tokens``), where the provider reports them.
        With ``sample`` > 0 (not streamed) the output is sampled at SAMPLE_TEMPERATURE with that
        number as its seed: another, reproducible try at a step whose greedy output failed."""
        json_schema = schema.model_json_schema()
        response_format = {
            "type": "json_schema",
            "json_schema": {"name": schema.__name__, "schema": json_schema, "strict": True},
        }
        parsed: list[M] = []

        def validate(done: Completion) -> Completion:
            try:
                parsed.append(schema.model_validate(json.loads(done.text)))
            except (json.JSONDecodeError, ValidationError) as exc:
                problem = str(exc).splitlines()[0]
                cut = " (cut off at max_tokens)" if done.finish_reason == "length" else ""
                raise UnfitOutput(
                    f"{self.model} returned output that does not fit {schema.__name__}{cut}: "
                    f"{problem}",
                    hint="a larger model follows schemas more reliably",
                ) from exc
            return done

        if on_partial is not None:
            so_far: list[str] = []

            def piece(text: str) -> None:
                so_far.append(text)
                on_partial("".join(so_far))

            def streamed() -> Completion:
                so_far.clear()
                done = self._stream_once(
                    messages, max_tokens, piece, response_format=response_format
                )
                return validate(done)

            done = self._with_retries(streamed)
            return parsed[-1], done

        extra: dict[str, Any] = {"logprobs": True, "top_logprobs": logprobs} if logprobs else {}
        if sample:
            extra |= {"temperature": SAMPLE_TEMPERATURE, "seed": sample}

        def attempt() -> Completion:
            start = time.perf_counter()
            response = self._call(
                messages=list(messages),
                max_tokens=max_tokens,
                response_format=response_format,
                **extra,
            )
            return validate(self._record(response, time.perf_counter() - start))

        done = self._with_retries(attempt)
        return parsed[-1], done


def _token_choices(logprobs: Any) -> tuple[TokenChoice, ...]:
    """The OpenAI-style ``choice.logprobs.content`` list (object or dict form) as TokenChoices."""
    if logprobs is None:
        return ()
    content = logprobs.get("content") if isinstance(logprobs, dict) else logprobs.content

    def field(item: Any, name: str) -> Any:
        return item.get(name) if isinstance(item, dict) else getattr(item, name, None)

    out = []
    for item in content or ():
        top = tuple(
            (str(field(alt, "token")), float(field(alt, "logprob")))
            for alt in field(item, "top_logprobs") or ()
        )
        out.append(TokenChoice(str(field(item, "token")), float(field(item, "logprob")), top))
    return tuple(out)
