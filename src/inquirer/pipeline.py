"""ask(): the single entry point that the CLI, TUI, batch and eval all call.

Question -> agent (Evidence) -> composer (Line) -> verifier (Verdict, one revision when it
fails). Events stream to the caller as work happens: retrieved, reading, drafting, token,
verifying, verified, done, failed.
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
from .embeddings import Embedder
from .errors import InquirerError, LLMError
from .llm import LLM, Usage
from .local_model import is_local
from .retrieval import Retriever
from .revise import Reviser
from .types import Line, SentenceCheck, Step, Verdict
from .verifier import Verifier

log = logging.getLogger(__name__)

MAX_QUESTION_CHARS = 500
EventKind = Literal[
    "retrieved", "reading", "drafting", "token", "verifying", "verified", "done", "failed"
]


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


def asks_insight(settings: Settings | None, model: str) -> bool:
    """Whether lines made with ``model`` close with an insight (the compose_insight setting:
    'auto' asks every model but the embedded local ones)."""
    chosen = settings.compose_insight if settings is not None else "auto"
    return chosen == "on" or (chosen == "auto" and not is_local(model))


class Pipeline:
    """The parts one question needs, built once and reused for many."""

    def __init__(
        self,
        llm: LLM,
        retriever: Retriever,
        settings: Settings | None = None,
        *,
        budget: Budget | None = None,
        verifier: Verifier | None = None,
        reviser: Reviser | None = None,
    ) -> None:
        self.llm = llm
        self.retriever = retriever
        self.settings = settings
        from .services import search_options

        options = search_options(settings) if settings is not None else None
        if budget is None and settings is not None:
            budget = Budget(
                searches=settings.agent_searches,
                reads=settings.agent_reads,
                enough=settings.agent_enough,
                judge=settings.agent_judge,
            )
        self.agent = Agent(llm, retriever, options=options, budget=budget)
        self.composer = Composer(
            llm, retriever, options=options, insight=asks_insight(settings, llm.model)
        )
        self.verifier = verifier
        self.reviser = reviser

    def _models(self) -> list[LLM]:
        """Every model object this pipeline calls (the judge may be a second one)."""
        out = [self.llm]
        panel = self.verifier.panel if self.verifier else None
        for judge in panel.judges if panel else ():
            model = getattr(judge, "llm", None)
            if model is not None and all(model is not m for m in out):
                out.append(model)
        return out

    def usage(self) -> Usage:
        """Tokens and seconds spent so far by every model this pipeline calls."""
        return sum((model.usage for model in self._models()), Usage())

    def corpus_fingerprint(self) -> str:
        lexical = self.retriever._lexical()
        return hashlib.sha256("\n".join(sorted(lexical.versions())).encode()).hexdigest()[:16]

    def ask(self, question: str, on_event: OnEvent | None = None) -> Line:
        emit = on_event or (lambda _event: None)
        asked = clean_question(question)
        short = shorten(asked)
        start = time.perf_counter()
        before = self.usage()
        try:
            evidence = self.agent.run(short, lambda step: emit(_step_event(step)))
            emit(Event("drafting", f"composing from {len(evidence.relevant)} notes"))
            first: list[float] = []

            def on_text(text: str) -> None:
                if not first:
                    first.append(time.perf_counter() - start)
                emit(Event("token", text))

            line = self.composer.compose(evidence, on_text)
            composed = time.perf_counter()
            line = self.verified(line, emit)
        except InquirerError as exc:
            emit(Event("failed", exc.message))
            raise
        line = self.stamped(line, start, composed, before, first[0] if first else None)
        line = replace(line, asked=asked if short != asked else "")
        emit(Event("done", f"{len(line.body)} paragraphs, {len(line.sources)} sources"))
        return line

    def stamped(
        self, line: Line, start: float, composed: float, before: Usage, first_text: float | None
    ) -> Line:
        """The line with the corpus it came from, its timings and the tokens spent on it since
        ``before`` (``start`` and ``composed`` are perf_counter readings)."""
        total = time.perf_counter() - start
        usage = self.usage()
        return replace(
            line,
            corpus=self.corpus_fingerprint(),
            timings={
                "total_s": round(total, 3),
                "llm_s": round(usage.seconds - before.seconds, 3),
                "first_text_s": round(first_text if first_text is not None else total, 3),
                "verify_s": round(time.perf_counter() - composed, 3),
            },
            usage={
                "calls": usage.calls - before.calls,
                "prompt_tokens": usage.prompt_tokens - before.prompt_tokens,
                "cached_tokens": usage.cached_tokens - before.cached_tokens,
                "completion_tokens": usage.completion_tokens - before.completion_tokens,
                "retries": usage.retries - before.retries,
            },
        )

    def verified(self, line: Line, emit: OnEvent) -> Line:
        """The line with the verifier's verdict, revised once if it failed. A judge that cannot
        be reached leaves the verdict "not run" with the reason — never "passed"."""
        if self.verifier is None:
            verdict = Verdict("not run", reason="verification is turned off (verify = false)")
            emit(Event("verified", verdict.reason, {"verdict": verdict}))
            return replace(line, verdict=verdict)
        notes = {r.note.id: r.note for r in line.evidence.read}
        count = sum(len(p.sentences) for p in line.body)
        emit(Event("verifying", f"checking {count} sentences against the notes they cite"))
        done: list[SentenceCheck] = []

        def heard(check: SentenceCheck) -> None:
            done.append(check)
            problem = f" ({check.problems[0]})" if check.problems else ""
            message = f"sentence {len(done)}/{count}: {check.label}{problem}"
            emit(Event("verifying", message, {"check": check}))

        try:
            verdict = self.verifier.verify(line, notes, notes.keys(), heard)
            if verdict.status == "failed" and self.reviser is not None:
                emit(Event("verifying", f"revising: {verdict.describe()}"))
                revised, changes = self.reviser.revise(line, verdict, notes)
                if changes:
                    again = self.verifier.verify(revised, notes, notes.keys())
                    seconds = round(verdict.seconds + again.seconds, 3)
                    line, verdict = revised, replace(again, changes=changes, seconds=seconds)
        except LLMError as exc:
            verdict = Verdict("not run", reason=f"the judge could not be reached: {exc.message}")
            log.warning("verification not run: %s", exc.message)
        emit(Event("verified", verdict.describe(), {"verdict": verdict}))
        return replace(line, verdict=verdict)


def _step_event(step: Step) -> Event:
    kind: EventKind = "retrieved" if step.kind in ("plan", "search") else "reading"
    return Event(kind, f"{step.kind}: {step.detail}", {"step": step})


def build_pipeline(
    settings: Settings, *, model: str | None = None, embedder: Embedder | None = None
) -> Pipeline:
    """A pipeline for ``settings``; pass ``embedder`` to share a model already loaded (batch
    builds one pipeline per line in flight)."""
    from .services import build_llm, build_retriever, build_verifier

    llm = build_llm(settings, model)
    retriever = build_retriever(settings, embedder)
    verifier = build_verifier(settings, llm, retriever)
    reviser = Reviser(llm) if verifier is not None and settings.verify_revise else None
    return Pipeline(llm, retriever, settings, verifier=verifier, reviser=reviser)


def build_verify(settings: Settings) -> tuple[Retriever, Verifier]:
    """The retriever and verifier ``inquirer verify`` needs (verification on, whatever the
    setting: the user asked for it)."""
    from .services import build_llm, build_retriever, build_verifier

    retriever = build_retriever(settings)
    verifier = build_verifier(
        settings.model_copy(update={"verify": True}), build_llm(settings), retriever
    )
    assert verifier is not None
    return retriever, verifier
