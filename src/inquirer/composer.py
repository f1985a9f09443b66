"""Evidence -> Line: the inquiring line of FORMAT.md, composed so that it passes the reading pass.

Code decides the shape (angles.py): which notes share a paragraph, the order of paragraphs, the
yes / no the notes settle in their own words, and the leads from one finding to the next. The
model writes only short spans — the framing (framing.py), one restatement per note
(restatement.py), the insight (insight.py), the next lines (next_lines.py) — and each span is
checked before the user sees it: whole sentences, no copied clauses, numbers exact, no note ids,
nothing the reading pass (reading.py) would find, nothing its notes do not say (faithful.py). A
span that fails is written again with the reason given, then dropped; a note's summary is never
shown as prose.

Every model call of a line opens with the same text (instructions, question, the notes used), so
a model server's prompt cache can reuse it; only the task at the end differs. Citations are
constrained by construction: a restatement cites exactly the note it restates, and every cited
note was read by the agent. Sources are assembled by code from the notes themselves.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime

import numpy as np
from pydantic import BaseModel

from . import angles, restatement
from .compose_prompt import shared_prompt
from .embeddings import Embedder
from .errors import UnfitOutput
from .framing import answer_sentence, unanswered
from .framing import write as framing_of
from .insight import NOT_ASKED
from .insight import write as insight_of
from .llm import LLM
from .next_lines import propose
from .reading import read_line
from .retrieval import Retriever, SearchOptions
from .types import Evidence, Finding, Line, Note, Paragraph, ReadNote, Sentence, SourceEntry, Step
from .wording import content, split_sentences, without_answer

# a restatement kept in its note's words with this share copied or more is a near-verbatim copy,
# left out of a paragraph that has other findings (dev4: such sentences copied 0.89-0.98)
VERBATIM = 0.75
CENTRAL = 2  # the line's best-ranked notes, kept even as near-verbatim copies
NEARBY_NOTES = 3  # the relevant notes a line the corpus does not answer shows, at most
FOCUS_FROM = 3  # sentences of a finding from which its restatement is asked for two of them
OnText = Callable[[str], None]


def sources_of(body: Sequence[Paragraph], notes: Mapping[str, Note]) -> tuple[SourceEntry, ...]:
    """The cited notes in order of first citation, each with its own title and summary."""
    order = dict.fromkeys(c for p in body for c in p.cites)
    return tuple(
        SourceEntry(note_id, notes[note_id].title, notes[note_id].summary)
        for note_id in order
        if note_id in notes
    )


class Composer:
    def __init__(
        self,
        llm: LLM,
        retriever: Retriever,
        *,
        options: SearchOptions | None = None,
        insight: bool = True,
    ):
        self.llm = llm
        self.retriever = retriever
        self.options = options or SearchOptions()
        self.insight = insight  # False: the line closes without one, and its trace says why

    def compose(self, evidence: Evidence, on_text: OnText | None = None) -> Line:
        emit = on_text or (lambda _text: None)
        question = evidence.question
        answered = evidence.sufficient
        # a line the corpus does not answer shows what little is relevant, and nothing else
        used = list(evidence.relevant)[: None if answered else NEARBY_NOTES]
        answer, answering = angles.settled_answer(question, [r.note for r in used])
        if not answered:
            answer = ""
        used.sort(key=lambda r: r.note.id not in answering)  # the answering notes lead
        draft = Draft(self, question, used, evidence)
        draft.answering = set(answering) if answered else set()

        if answered:
            said = answer_sentence(answer, question, bool(answering))
            framing = framing_of(draft, said)
        else:  # the model's account of a question the notes do not reach presumes an answer
            absent = self.retriever.absent_terms(question) if evidence.outside else []
            framing = draft.framing_text = unanswered(question, absent, bool(used))
        emit(framing + "\n\n")
        plan = draft.plan()
        for group, far in plan:
            paragraph = draft.paragraph(group, far, len(plan), lambda s: emit(s + " "))
            if paragraph is not None:
                emit("\n\n")
        if self.insight:
            insight = insight_of(draft)
        else:
            insight = ""
            why = f"{NOT_ASKED} of {self.llm.model}, whose insights conflated their findings"
            draft.steps.append(Step("compose", why))
        emit(insight + "\n")
        sources = sources_of(draft.body, {r.note.id: r.note for r in evidence.read})
        next_lines = self.next_lines(question, evidence, sources, draft.steps)
        # what the composer set aside joins the trace, so a line's JSON says why a part is short
        evidence = replace(evidence, trace=(*evidence.trace, *draft.steps))
        return Line(
            question=question,
            framing=framing,
            body=tuple(draft.body),
            insight=insight,
            sources=sources,
            next_lines=tuple(next_lines),
            answered=answered and bool(draft.body),
            model=self.llm.model,
            created=datetime.now(UTC).isoformat(timespec="seconds"),
            evidence=evidence,
        )

    def next_lines(
        self,
        question: str,
        evidence: Evidence,
        sources: Sequence[SourceEntry],
        steps: list[Step] | None = None,
    ) -> list[str]:
        """The line's next inquiring lines (next_lines.py)."""
        return propose(self.llm, self.retriever, question, evidence, sources, steps)


def nearest_later(embedder: Embedder, question: str, sentences: Sequence[str]) -> str:
    """The sentence after the first of ``sentences`` nearest ``question`` by cosine."""
    vectors = embedder.embed([question, *sentences[1:]])
    return sentences[int(np.argmax(vectors[1:] @ vectors[0])) + 1]


class Draft:
    """One line in the making: the notes it uses, the body so far, and the checks each new span
    must pass against them."""

    def __init__(
        self, composer: Composer, question: str, used: Sequence[ReadNote], evidence: Evidence
    ) -> None:
        self.llm = composer.llm
        self.retriever = composer.retriever
        self.question = question
        self.used = list(used)
        self.notes = [r.note for r in used]
        self.by_id = {n.id: n for n in self.notes}
        self.evidence = evidence
        self.proper = angles.proper_words(self.notes)
        self.framing_text = ""
        self.answering: set[str] = set()  # the notes whose answer words the framing gives
        self.body: list[Paragraph] = []
        self.steps: list[Step] = []  # what was set aside, and why
        self.verbatim: dict[str, float] = {}  # kept in the note's words: its copied share
        self.claims: dict[str, str] = {}  # what each note's restatement is asked to say
        # the content words the notes hold: a question's word outside them is a subject the
        # notes do not speak of ("mixture-of-experts" asked of notes on dense scaling laws)
        self.held = content(" ".join(f"{n.title} {n.summary} {n.body}" for n in self.notes))

    def ask(
        self, task: str, schema: type[BaseModel], max_tokens: int, sample: int = 0
    ) -> BaseModel | None:
        """The model's span for ``task``; None when its output did not fit the schema even
        after the model client's retry (a small model cut off mid-string): a failed try of
        that span, never the end of the line."""
        try:
            out, _ = self.llm.structured(
                shared_prompt(self.question, self.notes, task),
                schema,
                max_tokens=max_tokens,
                sample=sample,
            )
        except UnfitOutput as exc:
            self.steps.append(Step("compose", f"a try did not fit its form: {exc}"))
            return None
        return out

    # -- the shape ----------------------------------------------------------------------------

    def plan(self) -> list[tuple[list[Note], bool]]:
        """Paragraphs as groups of notes, each with whether it lies far from the question."""
        if not self.notes:
            return []
        texts = [self.question, *(f"{n.title} {n.summary}" for n in self.notes)]
        vectors = self.retriever.embedder.embed(texts)
        to_question = vectors[1:] @ vectors[0]
        sims = angles.similarity(self.notes, vectors[1:])
        out = []
        for group in angles.groups(self.used, sims):
            far = max(float(to_question[i]) for i in group) < angles.FAR
            out.append(([self.notes[i] for i in group], far))
        return out

    # -- the parts ----------------------------------------------------------------------------

    def paragraph(
        self, group: Sequence[Note], far: bool, count: int, show: Callable[[str], None]
    ) -> Paragraph | None:
        """One paragraph: each note of ``group`` restated in turn, led in by code. A note whose
        restatement fails its checks twice is left out; a paragraph with none is dropped."""
        sentences: list[Sentence] = []
        for note in group:
            lead = angles.lead_for(len(self.body), len(sentences), count, far)
            for text in self.restate(note, lead, sentences):
                sentences.append(Sentence(text, (note.id,)))
        sentences = self.without_verbatim(sentences)
        for sentence in sentences:
            show(sentence.text)
        if not sentences:
            return None
        paragraph = Paragraph(tuple(sentences))
        self.body.append(paragraph)
        return paragraph

    def without_verbatim(self, sentences: list[Sentence]) -> list[Sentence]:
        """``sentences`` without the near-verbatim copies of their notes (VERBATIM of their
        words or more) after the paragraph's first, but for the line's CENTRAL notes: a note's
        sentence shown again as prose, above its own summary in the sources, is what a reader
        trips on, and a paragraph with another finding first does without it."""
        copies = {i: self.verbatim.get(s.text, 0.0) for i, s in enumerate(sentences)}
        # the paragraph's first finding and the line's best-ranked notes always stay: dropping
        # them lost a line's central note (dev5 q006, the imitation-data note whose title is the
        # question; dev6 q002, the note on when LoRA matches full fine-tuning, ranked second)
        central = {r.note.id for r in self.used[:CENTRAL]}
        near = {
            i
            for i, share in copies.items()
            if share >= VERBATIM and i > 0 and sentences[i].cites[0] not in central
        }
        if not near:
            return sentences
        for i in sorted(near):
            detail = f"left out: a copy of its note ({copies[i]:.2f} of its words) beside others"
            self.steps.append(Step("compose", detail, sentences[i].cites[0]))
        return [s for i, s in enumerate(sentences) if i not in near]

    def claim_of(self, note: Note) -> str:
        """What a restatement of ``note`` is asked to say: its finding (the summary without its
        answer words), or of a finding of FOCUS_FROM sentences or more, the first, which names
        the study, and the later one nearest the question. Restating the whole, the 1.5B said
        what came first: 14 of the 25 restatements of such notes in the suite's first lines left
        out the sentence nearest the question (q005 gave Tk-Instruct's 9% lead over InstructGPT,
        not that generalisation grew with tasks and model size rather than instances per task,
        which the question asked)."""
        if note.id not in self.claims:
            claim = without_answer(note.summary)
            sentences = split_sentences(claim)
            if len(sentences) >= FOCUS_FROM:
                nearest = nearest_later(self.retriever.embedder, self.question, sentences)
                claim = f"{sentences[0]} {nearest}"
            self.claims[note.id] = claim
        return self.claims[note.id]

    def restate(self, note: Note, lead: str, current: Sequence[Sentence]) -> list[str]:
        """One checked sentence restating ``note`` (restatement.py); [] when no try passes."""
        return restatement.restate(self, note, lead, current, answers=note.id in self.answering)

    def body_findings(self, current: Sequence[Sentence], text: str, note_id: str) -> list[Finding]:
        """What the reading pass finds in ``text`` (citing ``note_id``) added to the paragraph
        ``current`` after the body so far."""
        trial = Paragraph((*current, Sentence(text, (note_id,))))
        line = self._line(body=(*self.body, trial))
        return self._findings(line, "body", (len(self.body), len(current)))

    # -- helpers ------------------------------------------------------------------------------

    def _findings(self, line: Line, part: str, place: tuple[int, int] = (-1, -1)) -> list[Finding]:
        """What the reading pass finds in ``part`` of ``line`` (at ``place`` in the body)."""
        return [
            f
            for f in read_line(line, self.by_id).findings
            if f.part == part and (part != "body" or (f.paragraph, f.index) == place)
        ]

    def _found(self, line: Line, part: str) -> str:
        """Why the reading pass faults ``part`` of ``line``, or ''."""
        found = self._findings(line, part)
        return "it " + "; ".join(dict.fromkeys(f.detail for f in found)) if found else ""

    def framing_fault(self, framing: str) -> str:
        """Why the reading pass faults ``framing`` as the line's framing, or ''."""
        return self._found(self._line(framing=framing), "framing")

    def insight_fault(self, insight: str) -> str:
        """Why the reading pass faults ``insight`` closing the body so far, or ''."""
        return self._found(self._line(body=tuple(self.body), insight=insight), "insight")

    def _line(
        self, *, body: tuple[Paragraph, ...] = (), insight: str = "", framing: str = ""
    ) -> Line:
        return Line(
            question=self.question,
            framing=framing or self.framing_text,
            body=body,
            insight=insight,
            sources=(),
            next_lines=(),
            answered=True,
            model="",
            created="",
            evidence=self.evidence,
        )
