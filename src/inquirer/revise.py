"""The one revision a line gets after a failed verification (FORMAT.md): each unsupported
sentence is rewritten from its cited notes, or dropped when the rewrite is empty, names a note
by its id or still states a number the notes do not; what the reading pass found is repaired by
dropping the part that trips a reader (a fragment, talk of the notes, a note id, a connective
no note states, a sentence turning which way its notes go, a repeated point, a paragraph off the
question, a copied insight, a template next line); a note whose answer the framing gives comes
back in its own words when all its sentences were dropped; source summaries that drifted are
restored from the notes; the sources are rebuilt from what the body still cites. Every change
is recorded. A sentence in a note's own words is left, and named in the verdict: the composer
tried to reword it, and a faithful copy beats a wrong paraphrase."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any, Literal

from pydantic import BaseModel, Field, create_model

from . import angles, prompts
from .checks import clean_sentence
from .composer import sources_of
from .errors import LLMError
from .facts import missing_numbers
from .faithful import departure
from .fragments import fragment
from .llm import LLM
from .reading import META, insight_text
from .types import Change, Finding, Line, Note, Paragraph, Sentence, SentenceCheck, Verdict
from .verifier import note_document
from .wording import content, in_own_words, tokens

log = logging.getLogger(__name__)


REVISED_LIMIT = 260  # characters of a rewritten sentence; the grammar closes the string there


def revision_schema(ids: Sequence[str]) -> type[BaseModel]:
    """One sentence whose citations can only be ``ids`` (empty text: nothing is supported)."""
    cite: Any = Literal[tuple(ids)]
    return create_model(
        "RevisedOut",
        text=(str, Field(max_length=REVISED_LIMIT)),
        cites=(list[cite], Field(min_length=0, max_length=2)),
    )


class Reviser:
    def __init__(self, llm: LLM) -> None:
        self.llm = llm

    def revise(
        self, line: Line, verdict: Verdict, notes: Mapping[str, Note]
    ) -> tuple[Line, tuple[Change, ...]]:
        failing = {(s.paragraph, s.index): s for s in verdict.sentences if s.label == "unsupported"}
        tripping = _trips(line, verdict.reading)
        changes: list[Change] = []
        body: list[Paragraph] = []
        said: list[str] = [s.text for p in line.body for s in p.sentences]
        for p, paragraph in enumerate(line.body):
            kept: list[Sentence] = []
            for i, sentence in enumerate(paragraph.sentences):
                check = failing.get((p, i))
                trip = tripping.get((p, i))
                if trip is not None:
                    changes.append(Change(p, i, sentence.text, "", f"dropped: {trip}"))
                    continue
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
                first = angles.unled(kept[0].text)
                if first != kept[0].text:
                    at = next((i for i, s in enumerate(paragraph.sentences) if s == kept[0]), 0)
                    changes.append(Change(p, at, kept[0].text, first, "lead dropped: it now opens"))
                    kept[0] = replace(kept[0], text=first)
                body.append(Paragraph(tuple(kept)))
        if not body:  # every sentence tripped: the line keeps its body, and the verdict says so
            return line, ()
        body = _answer_kept(line, body, notes, changes)
        sources = sources_of(body, notes)
        for old, new in zip(line.sources, sources, strict=False):
            if old.note_id == new.note_id and old.summary != new.summary:
                changes.append(Change(-1, -1, old.summary, new.summary, "summary restored"))
        insight = line.insight
        found = [f for f in verdict.reading if f.part == "insight"]
        gone = _gone(line, body)
        if found and insight:
            changes.append(Change(-1, -1, insight, "", f"insight dropped: {found[0].detail}"))
            insight = ""
        elif insight and content(insight_text(insight)) & gone:
            lost = ", ".join(sorted(content(insight_text(insight)) & gone)[:4])
            reason = f"insight dropped: it drew on findings revision dropped ({lost})"
            changes.append(Change(-1, -1, insight, "", reason))
            insight = ""
        bad_next = {f.index: f.detail for f in verdict.reading if f.part == "next"}
        next_lines = tuple(q for k, q in enumerate(line.next_lines) if k not in bad_next)
        changes += [
            Change(-1, k, q, "", f"next line dropped: {bad_next[k]}")
            for k, q in enumerate(line.next_lines)
            if k in bad_next
        ]
        revised = replace(
            line, body=tuple(body), sources=sources, insight=insight, next_lines=next_lines
        )
        return revised, tuple(changes)

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
        if len(data["text"]) >= REVISED_LIMIT - 5:
            return None  # cut off at the limit: "…, and the judges' G." (dev11 q070)
        text = clean_sentence(data["text"], question=question, earlier=earlier)
        cites = tuple(dict.fromkeys(c for c in data["cites"] if c in ids)) or tuple(ids)
        if not text or text == check.text or any(i in tokens(text) for i in ids if "-" in i):
            return None  # a note's id in prose is dropped, never cut out (that leaves no subject)
        if META.search(text):
            return None  # "The notes support that …" wrapped round the same claim repairs nothing
        if angles.unled(text) == angles.unled(check.text):
            return None  # the same claim without its lead ("On a neighbouring question, …")
        documents = [note_document(notes[c]) for c in cites]
        if missing_numbers(text, documents, exact=True):
            return None
        # held to what a restatement is held to: a rewrite that relates, negates or adds what
        # its notes do not, or reads as a fragment, is dropped rather than shown
        why = departure(
            text,
            " ".join(f"{notes[c].title} {d}" for c, d in zip(cites, documents, strict=True)),
            question,
        )
        why = why or fragment(text, [notes[c] for c in cites], first_in_paragraph=True)
        if why:
            log.info("rewrite of %r set aside: %s", check.text, why)
            return None
        return Sentence(text, cites)


def _answer_kept(
    line: Line, body: list[Paragraph], notes: Mapping[str, Note], changes: list[Change]
) -> list[Paragraph]:
    """``body`` with the notes whose answer words the framing gives (angles.settled_answer)
    still cited: one whose every sentence was dropped comes back first, in its own words (suite
    q030 said "its answer is not reliably" after revision dropped the only sentence of the note
    that said so)."""
    if not line.answered:
        return body
    cited = list(dict.fromkeys(c for p in line.body for s in p.sentences for c in s.cites))
    _, answering = angles.settled_answer(line.question, [notes[c] for c in cited if c in notes])
    kept = {c for p in body for s in p.sentences for c in s.cites}
    back = [Sentence(in_own_words(notes[c]), (c,)) for c in answering if c not in kept]
    for sentence in back:
        changes.append(Change(0, 0, "", sentence.text, RESTORED))
    if not back:
        return body
    return [Paragraph((*back, *body[0].sentences)), *body[1:]]


RESTORED = "restored in its note's own words: the framing gives its answer"


# what the reading pass finds in a body sentence that dropping it repairs ("copied" is left:
# see the module's docstring)
DROPPED = frozenset(
    {"fragment", "meta", "note_id", "misstated", "connective", "repeated_point", "repeated_opener"}
)


def _trips(line: Line, findings: Sequence[Finding]) -> dict[tuple[int, int], str]:
    """The body sentences to drop, by (paragraph, index), with why: those with a finding of a
    kind in DROPPED, and every sentence of a paragraph off the question (in an answered line;
    an unanswered one shows what lies near the question on purpose)."""
    out: dict[tuple[int, int], str] = {}
    for f in findings:
        if f.part != "body":
            continue
        if f.kind in DROPPED:
            out.setdefault((f.paragraph, f.index), f.detail)
        elif f.kind == "off_question" and line.answered and len(line.body) > 1:
            for i in range(len(line.body[f.paragraph].sentences)):
                out.setdefault((f.paragraph, i), f.detail)
    return out


def _gone(line: Line, body: Sequence[Paragraph]) -> set[str]:
    """The content words only the body sentences revision dropped or rewrote held (beside the
    question's)."""
    before = content(" ".join(s.text for p in line.body for s in p.sentences))
    after = content(" ".join(s.text for p in body for s in p.sentences))
    return before - after - content(line.question)


def _why(check: SentenceCheck) -> str:
    return "; ".join(check.problems) or f"unsupported ({check.support})"
