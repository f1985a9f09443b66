"""The one revision a line gets after a failed verification (FORMAT.md): each unsupported
sentence is rewritten from its cited notes, or dropped when the rewrite is empty or still
states a number the notes do not; source summaries that drifted are restored from the notes;
the sources are rebuilt from what the body still cites. Every change is recorded."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any, Literal

from pydantic import BaseModel, Field, create_model

from . import prompts
from .checks import clean_sentence, unname
from .composer import sources_of
from .errors import LLMError
from .facts import missing_numbers
from .llm import LLM
from .types import Change, Line, Note, Paragraph, Sentence, SentenceCheck, Verdict
from .verifier import note_document

log = logging.getLogger(__name__)


def revision_schema(ids: Sequence[str]) -> type[BaseModel]:
    """One sentence whose citations can only be ``ids`` (empty text: nothing is supported)."""
    cite: Any = Literal[tuple(ids)]
    return create_model(
        "RevisedOut",
        text=(str, Field(max_length=260)),
        cites=(list[cite], Field(min_length=0, max_length=2)),
    )


class Reviser:
    def __init__(self, llm: LLM) -> None:
        self.llm = llm

    def revise(
        self, line: Line, verdict: Verdict, notes: Mapping[str, Note]
    ) -> tuple[Line, tuple[Change, ...]]:
        failing = {(s.paragraph, s.index): s for s in verdict.sentences if s.label == "unsupported"}
        changes: list[Change] = []
        body: list[Paragraph] = []
        said: list[str] = [s.text for p in line.body for s in p.sentences]
        for p, paragraph in enumerate(line.body):
            kept: list[Sentence] = []
            for i, sentence in enumerate(paragraph.sentences):
                check = failing.get((p, i))
                if check is None:
                    kept.append(sentence)
                    continue
                others = [t for t in said if t != sentence.text]
                rewritten = self._rewrite(line.question, check, notes, others)
                changes.append(
                    Change(p, i, sentence.text, rewritten.text if rewritten else "", _why(check))
                )
                if rewritten is not None:
                    kept.append(rewritten)
            if kept:
                body.append(Paragraph(tuple(kept)))
        sources = sources_of(body, notes)
        for old, new in zip(line.sources, sources, strict=False):
            if old.note_id == new.note_id and old.summary != new.summary:
                changes.append(Change(-1, -1, old.summary, new.summary, "summary restored"))
        return replace(line, body=tuple(body), sources=sources), tuple(changes)

    def _rewrite(
        self,
        question: str,
        check: SentenceCheck,
        notes: Mapping[str, Note],
        earlier: Sequence[str],
    ) -> Sentence | None:
        cited = [notes[c] for c in check.cites if c in notes]
        if not cited:
            return None
        rendered = prompts.render(
            "verify_revise",
            notes="\n".join(f"- {n.id}: {note_document(n, check.text)}" for n in cited),
            sentence=check.text,
            problem="; ".join(check.problems) or "the notes do not support it",
        )
        ids = [n.id for n in cited]
        try:
            out, _ = self.llm.structured(
                prompts.split(rendered), revision_schema(ids), max_tokens=160
            )
        except LLMError as exc:
            log.warning("revision of %r failed: %s", check.text, exc.message)
            return None
        data = out.model_dump()
        text = clean_sentence(unname(data["text"], ids), question=question, earlier=earlier)
        cites = tuple(dict.fromkeys(c for c in data["cites"] if c in ids)) or tuple(ids)
        if not text or text == check.text:
            return None
        if missing_numbers(text, [note_document(notes[c]) for c in cites]):
            return None
        return Sentence(text, cites)


def _why(check: SentenceCheck) -> str:
    return "; ".join(check.problems) or f"unsupported ({check.support})"
