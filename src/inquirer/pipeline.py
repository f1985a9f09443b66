"""ask(): the single entry point that the CLI, TUI, batch and eval all call.

Question -> agent (Evidence) -> composer (Line). Events stream to the caller as work happens:
retrieved, reading, drafting, token, done, failed.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from .agent import Agent, Budget
from .composer import Composer
from .config import Settings
from .errors import InquirerError
from .llm import LLM
from .retrieval import Retriever
from .types import Line, Step

log = logging.getLogger(__name__)

MAX_QUESTION_CHARS = 500
EventKind = Literal["retrieved", "reading", "drafting", "token", "verified", "done", "failed"]


@dataclass(frozen=True)
class Event:
    kind: EventKind
    message: str = ""
    data: dict[str, Any] = field(default_factory=dict)


OnEvent = Callable[[Event], None]


def clean_question(question: str) -> str:
    text = " ".join(question.split())
    if not any(ch.isalnum() for ch in text):
        raise InquirerError(
            "the question is empty" if not text else f"the question {text[:40]!r} has no words",
            hint='ask in words, e.g. inquirer ask "does RLHF hurt calibration?"',
        )
    return text


def shorten(question: str) -> str:
    """At most MAX_QUESTION_CHARS, cut at a word: the prompts must fit a small model's window."""
    if len(question) <= MAX_QUESTION_CHARS:
        return question
    cut = question[:MAX_QUESTION_CHARS].rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:") + "…"


class Pipeline:
    """The parts one question needs, built once and reused for many."""

    def __init__(
        self,
        llm: LLM,
        retriever: Retriever,
        settings: Settings | None = None,
        *,
        budget: Budget | None = None,
    ) -> None:
        self.llm = llm
        self.retriever = retriever
        self.settings = settings
        from .services import search_options

        options = search_options(settings) if settings is not None else None
        self.agent = Agent(llm, retriever, options=options, budget=budget)
        self.composer = Composer(llm, retriever, options=options)

    def corpus_fingerprint(self) -> str:
        lexical = self.retriever._lexical()
        return hashlib.sha256("\n".join(sorted(lexical.versions())).encode()).hexdigest()[:16]

    def ask(self, question: str, on_event: OnEvent | None = None) -> Line:
        emit = on_event or (lambda _event: None)
        asked = clean_question(question)
        short = shorten(asked)
        start = time.perf_counter()
        before = replace(self.llm.usage)
        try:
            evidence = self.agent.run(short, lambda step: emit(_step_event(step)))
            emit(Event("drafting", f"composing from {len(evidence.relevant)} notes"))
            first: list[float] = []

            def on_text(text: str) -> None:
                if not first:
                    first.append(time.perf_counter() - start)
                emit(Event("token", text))

            line = self.composer.compose(evidence, on_text)
        except InquirerError as exc:
            emit(Event("failed", exc.message))
            raise
        total = time.perf_counter() - start
        usage = self.llm.usage
        line = replace(
            line,
            asked=asked if short != asked else "",
            corpus=self.corpus_fingerprint(),
            timings={
                "total_s": round(total, 3),
                "llm_s": round(usage.seconds - before.seconds, 3),
                "first_text_s": round(first[0], 3) if first else total,
            },
            usage={
                "calls": usage.calls - before.calls,
                "prompt_tokens": usage.prompt_tokens - before.prompt_tokens,
                "completion_tokens": usage.completion_tokens - before.completion_tokens,
                "retries": usage.retries - before.retries,
            },
        )
        emit(Event("done", f"{len(line.body)} paragraphs, {len(line.sources)} sources"))
        return line


def _step_event(step: Step) -> Event:
    kind: EventKind = "retrieved" if step.kind in ("plan", "search") else "reading"
    return Event(kind, f"{step.kind}: {step.detail}", {"step": step})


def build_pipeline(settings: Settings, *, model: str | None = None) -> Pipeline:
    from .services import build_llm, build_retriever

    return Pipeline(build_llm(settings, model), build_retriever(settings), settings)
