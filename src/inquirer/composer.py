"""Evidence -> Line: the inquiring line of FORMAT.md, composed in small checked steps.

A small local model asked for a whole line at once copies, repeats and misplaces parts
(DESIGN.md); asked for one focused step at a time it writes readable synthesis. So the line is
built step by step — framing, one call per body paragraph, insight, next lines — and each step's
output passes checks before it reaches the user (see ``clean_sentence``). Citations are
constrained by construction: each paragraph's schema allows only the ids of the notes it was given,
all of which the agent read. Sources are assembled by code from the notes themselves.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, create_model

from . import followups, prompts
from .checks import (
    clean_sentence,
    closed_sentences,
    finish,
    foreign_script,
    leaks,
    overlap,
    prompt_texts,
    unname,
    words,
)
from .llm import LLM
from .retrieval import Retriever, SearchOptions
from .types import Evidence, Line, Note, Paragraph, ReadNote, Sentence, SourceEntry

log = logging.getLogger(__name__)

FRAMING_LEAD = "This explores"
INSIGHT_LEAD = "The thing you didn't know you wanted to know:"
UNANSWERED = "The corpus holds too little to answer this directly."
ANGLES = (
    "Answer the question directly first.",
    "Support or qualify that answer.",
    "Complicate it: a limit, a disagreement, or a connection from another side.",
    "Say what this adds, and where it disagrees or stays silent.",
    "Say what this adds, and where it disagrees or stays silent.",
)
OnText = Callable[[str], None]


class FramingOut(BaseModel):
    text: str = Field(max_length=360)


class InsightOut(BaseModel):
    text: str = Field(max_length=320)


class NextOut(BaseModel):
    questions: list[Annotated[str, Field(max_length=150)]] = Field(min_length=3, max_length=5)


def paragraph_schema(ids: Sequence[str]) -> type[BaseModel]:
    """A paragraph of 2-3 sentences whose citations can only be ``ids``."""
    cite: Any = Literal[tuple(ids)]
    sentence = create_model(
        "SentenceOut",
        text=(str, Field(max_length=260)),
        cites=(list[cite], Field(min_length=1, max_length=2)),
    )
    return create_model(
        "ParagraphOut",
        sentences=(list[sentence], Field(min_length=2, max_length=3)),  # type: ignore[valid-type]
    )


# -- composing ----------------------------------------------------------------------------------


def groups(notes: Sequence[ReadNote]) -> list[list[ReadNote]]:
    """Notes dealt round-robin (best first) into 3-5 paragraphs; two notes make three (one
    each, then both together); a single note makes one."""
    if len(notes) == 2:
        return [[notes[0]], [notes[1]], list(notes)]
    if len(notes) < 3:
        return [[n] for n in notes]
    count = min(5, len(notes))
    out: list[list[ReadNote]] = [[] for _ in range(count)]
    for i, note in enumerate(notes[: 2 * count]):
        out[i % count].append(note)
    return out


def sources_of(body: Sequence[Paragraph], notes: Mapping[str, Note]) -> tuple[SourceEntry, ...]:
    """The cited notes in order of first citation, each with its own title and summary."""
    order = dict.fromkeys(c for p in body for c in p.cites)
    return tuple(
        SourceEntry(note_id, notes[note_id].title, notes[note_id].summary)
        for note_id in order
        if note_id in notes
    )


class Composer:
    def __init__(self, llm: LLM, retriever: Retriever, *, options: SearchOptions | None = None):
        self.llm = llm
        self.retriever = retriever
        self.options = options or SearchOptions()

    def compose(self, evidence: Evidence, on_text: OnText | None = None) -> Line:
        emit = on_text or (lambda _text: None)
        question = evidence.question
        titles = {r.note.id: r.note.title for r in evidence.read}
        answered = evidence.sufficient
        used = list(evidence.relevant) if answered else self._closest(evidence)
        framing = self._framing(question, used, answered)
        emit(framing + "\n\n")
        body: list[Paragraph] = []
        written: list[str] = [framing]
        for index, group in enumerate(groups(used)):

            def show(sentence: Sentence) -> None:
                emit(Paragraph((sentence,)).plain(titles) + " ")

            paragraph = self._paragraph(question, group, index, answered, written, show)
            body.append(paragraph)
            written += [s.text for s in paragraph.sentences]
            emit("\n\n")
        insight = self._insight(question, body)
        emit(insight + "\n")
        sources = sources_of(body, {r.note.id: r.note for r in evidence.read})
        next_lines = self.next_lines(question, evidence, sources)
        return Line(
            question=question,
            framing=framing,
            body=tuple(body),
            insight=insight,
            sources=sources,
            next_lines=tuple(next_lines),
            answered=answered and bool(body),
            model=self.llm.model,
            created=datetime.now(UTC).isoformat(timespec="seconds"),
            evidence=evidence,
        )

    @staticmethod
    def _closest(evidence: Evidence) -> list[ReadNote]:
        """When too little is relevant: what little is, then the best-ranked of the rest."""
        ordered = list(evidence.relevant) + [r for r in evidence.read if not r.relevant]
        return ordered[:3]

    @staticmethod
    def _claims(notes: Sequence[ReadNote]) -> str:
        return "\n".join(f"- {r.note.id}: {r.note.summary}" for r in notes)

    def _framing(self, question: str, notes: Sequence[ReadNote], answered: bool) -> str:
        coverage = "" if answered else f"Say plainly that {UNANSWERED[0].lower()}{UNANSWERED[1:]}"
        rendered = prompts.render(
            "compose_framing", question=question, notes=self._claims(notes), coverage=coverage
        )
        out, _ = self.llm.structured(prompts.split(rendered), FramingOut, max_tokens=140)
        text = finish(out.text)
        for echo in (FRAMING_LEAD, question, FRAMING_LEAD):  # small models echo both
            if text.lower().startswith(echo.lower()):
                text = text[len(echo) :].lstrip(" ,:?")
        text = re.sub(rf"\s*\b{FRAMING_LEAD}\b\s*", " ", text).strip()
        if any(overlap(text, r.note.summary) >= 0.8 for r in notes):
            text = ""  # a note's claim copied out is not a framing
        if not text or foreign_script(text, question) or leaks(text, prompt_texts()):
            text = f"what the corpus says about the question: {question.rstrip('?')}?"
        framing = f"{FRAMING_LEAD} {text[0].lower()}{text[1:]}"
        return framing if answered else f"{framing} {UNANSWERED}"

    def _paragraph(
        self,
        question: str,
        group: Sequence[ReadNote],
        index: int,
        answered: bool,
        earlier: list[str],
        show: Callable[[Sentence], None],
    ) -> Paragraph:
        """One paragraph; each sentence is checked and shown as soon as the model closes it."""
        ids = [r.note.id for r in group]
        angle = ANGLES[min(index, len(ANGLES) - 1)]
        if not answered:
            angle = "Say what these notes do establish, without claiming they answer the question."
        rendered = prompts.render(
            "compose_paragraph", question=question, notes=self._claims(group), angle=angle
        )
        seen = 0
        sentences: list[Sentence] = []

        def take(raw_sentences: Sequence[tuple[str, Sequence[str]]]) -> None:
            nonlocal seen
            for text, cites in raw_sentences[seen:]:
                seen += 1
                kept = clean_sentence(
                    unname(text, ids),
                    question=question,
                    earlier=[*earlier, *(s.text for s in sentences)],
                )
                allowed = tuple(c for c in dict.fromkeys(cites) if c in ids)
                log.debug("sentence %r -> %r", text, kept)
                if kept and allowed:
                    sentences.append(Sentence(kept, allowed))
                    show(sentences[-1])

        out, _ = self.llm.structured(
            prompts.split(rendered),
            paragraph_schema(ids),
            max_tokens=300,
            on_partial=lambda text: take(closed_sentences(text)),
        )
        take([(raw["text"], raw["cites"]) for raw in out.model_dump()["sentences"]])
        if not sentences:  # nothing usable: state the best note's own claim, cited
            best = group[0].note
            sentences.append(Sentence(finish(best.summary) or best.summary, (best.id,)))
            show(sentences[-1])
        return Paragraph(tuple(sentences))

    def _insight(self, question: str, body: Sequence[Paragraph]) -> str:
        cited = [c for p in body for c in p.cites]
        findings = "\n".join(f"- {' '.join(s.text for s in p.sentences)}" for p in body)
        rendered = prompts.render("compose_insight", question=question, findings=findings)
        out, _ = self.llm.structured(prompts.split(rendered), InsightOut, max_tokens=120)
        said = [s.text for p in body for s in p.sentences]
        text = clean_sentence(unname(out.text, cited), question=question, earlier=said)
        text = re.sub(r"^the thing you didn'?t know you wanted to know:?\s*", "", text, flags=re.I)
        said_sentences = [s for p in body for s in p.sentences]
        if not text and said_sentences:  # no insight of its own: the claim joining most notes
            text = max(said_sentences, key=lambda s: len(s.cites)).text
        if not text:
            text = "nothing in the corpus bears directly on this question."
        return f"{INSIGHT_LEAD} {text[0].upper()}{text[1:]}"

    # -- next inquiring lines ---------------------------------------------------------------

    def next_lines(
        self, question: str, evidence: Evidence, sources: Sequence[SourceEntry]
    ) -> list[str]:
        """3-5 questions that open from notes the line did not use, each checked for novelty
        (against the question and each other) and answerability (retrieval finds notes)."""
        cited = {s.note_id for s in sources}
        pool = [
            (r.note.title, r.note.summary)
            for r in evidence.read
            if r.relevant and r.note.id not in cited
        ]
        unread = self.retriever.cards(list(evidence.unread[:6]))
        pool += [(c.hit.title, c.hit.summary) for c in unread.values()]
        if len(pool) < 3:  # a small corpus, all of it cited: open from the cited notes too
            pool += [(s.title, s.summary) for s in sources]
        pool = pool[:6]
        proposals: list[str] = []
        if pool:
            notes = "\n".join(f"- {title} {summary}" for title, summary in pool)
            rendered = prompts.render("compose_next", question=question, notes=notes)
            out, _ = self.llm.structured(prompts.split(rendered), NextOut, max_tokens=260)
            proposals = [" ".join(q.split()) for q in out.questions]
        fallback = [title for title, _ in pool if title.endswith("?")]
        return self._checked(question, proposals + fallback)[:5]

    def _checked(self, question: str, candidates: Sequence[str]) -> list[str]:
        shaped = [
            q
            for q in dict.fromkeys(candidates)
            if q.endswith("?") and 4 <= len(words(q)) <= 30 and not foreign_script(q, question)
        ]
        checks = followups.assess(self.retriever, question, shaped)
        return [c.question for c in checks if c.novel and c.answerable]
