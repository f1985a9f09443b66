"""The naive-RAG baseline the eval suite sets beside the agent: retrieve the top k notes, number
them as sources, and ask for a cited answer in one call — the shape of llama-index's
CitationQueryEngine (numbered "Source n" chunks, an answer citing [n]). With no agent, no
per-step composition and no revision, it shows what those add.

A small model follows a schema far better than free-text citation marks, so the answer comes as
sentences each citing source numbers from an enum of the numbers shown (the CitationQueryEngine
answer, in structured form). The result is a Line like any other, so the same verifier and the
same metrics score it; it has no framing, insight or next lines of its own beyond what one call
gives, and format compliance says so.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, create_model

from .. import prompts
from ..checks import finish
from ..composer import sources_of
from ..llm import LLM
from ..pipeline import Event, OnEvent, Pipeline, clean_question, shorten
from ..retrieval import Retriever, SearchOptions
from ..types import Evidence, Line, Paragraph, ReadNote, Sentence, Step

TOP_K = 5
MAX_SENTENCES = 8


def answer_schema(count: int) -> type[BaseModel]:
    """An answer of sentences, each citing source numbers 1..count only."""
    number: Any = Literal[tuple(range(1, count + 1))]
    sentence: Any = create_model(
        "CitedSentence",
        text=(Annotated[str, Field(max_length=300)], ...),
        sources=(list[number], Field(min_length=1, max_length=3)),
    )
    return create_model(
        "CitedAnswer", sentences=(list[sentence], Field(min_length=1, max_length=MAX_SENTENCES))
    )


class NaiveRAG:
    """Top-k retrieval and one cited-answer call: the baseline."""

    def __init__(self, llm: LLM, retriever: Retriever, *, k: int = TOP_K) -> None:
        self.llm = llm
        self.retriever = retriever
        self.k = k

    def ask(self, question: str) -> Line:
        hits = self.retriever.search(question, self.k, SearchOptions(mode="hybrid"))
        notes = [n for h in hits if (n := self.retriever.read(h.note_id)) is not None]
        read = tuple(ReadNote(n, True, "retrieved", i) for i, n in enumerate(notes, start=1))
        trace = (Step("search", f"{question} -> {len(notes)} notes"),)
        evidence = Evidence(question, read, trace)
        body: tuple[Paragraph, ...] = ()
        if notes:
            listed = "\n\n".join(
                f"Source {i}:\n{n.title} {n.summary}" for i, n in enumerate(notes, start=1)
            )
            rendered = prompts.render("baseline_answer", question=question, sources=listed)
            out, _ = self.llm.structured(
                prompts.split(rendered), answer_schema(len(notes)), max_tokens=700
            )
            sentences = []
            for item in out.model_dump()["sentences"]:
                text = finish(item["text"])
                cites = tuple(dict.fromkeys(notes[n - 1].id for n in item["sources"]))
                if text:
                    sentences.append(Sentence(text, cites))
            body = (Paragraph(tuple(sentences)),) if sentences else ()
        by_id = {n.id: n for n in notes}
        return Line(
            question=question,
            framing="",  # the baseline writes none: format compliance counts that
            body=body,
            insight="",
            sources=sources_of(body, by_id),
            next_lines=(),
            answered=bool(body),
            model=f"baseline:{self.llm.model}",
            created=datetime.now(UTC).isoformat(timespec="seconds"),
            evidence=evidence,
        )


class BaselinePipeline:
    """The baseline behind the pipeline's face (``llm`` and ``ask``), so batch makes its lines
    with the same ledger and resume: NaiveRAG's answer, then the pipeline's own verifier pass
    (with its one revision), timed and counted the same way."""

    def __init__(self, pipeline: Pipeline, *, k: int = TOP_K) -> None:
        self.pipeline = pipeline
        self.llm = pipeline.llm
        self.rag = NaiveRAG(pipeline.llm, pipeline.retriever, k=k)

    def ask(self, question: str, on_event: OnEvent | None = None) -> Line:
        emit = on_event or (lambda _event: None)
        asked = shorten(clean_question(question))
        start = time.perf_counter()
        before = self.pipeline.usage()
        emit(Event("retrieved", f"search: top {self.rag.k} notes, one cited answer"))
        line = self.rag.ask(asked)
        composed = time.perf_counter()
        line = self.pipeline.verified(line, emit)
        line = self.pipeline.stamped(line, start, composed, before, composed - start)
        emit(Event("done", f"{sum(len(p.sentences) for p in line.body)} sentences"))
        return line
