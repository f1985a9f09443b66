"""Evidence -> Line: the inquiring line of FORMAT.md, composed so that it passes the reading pass.

Code decides the shape (angles.py): which notes share a paragraph, the order of paragraphs, the
yes / no the notes settle in their own words, and the leads from one finding to the next. The
model writes only short spans — the framing (framing.py), one restatement per note, the insight
(insight.py), the next lines (next_lines.py) — and each span is checked before the user sees
it: whole sentences, no copied clauses, numbers exact, no note ids, nothing the reading pass
(reading.py) would find, nothing its notes do not say (faithful.py). A span that fails is
written again with the reason given, then dropped; a note's summary is never shown as prose.

Every model call of a line opens with the same text (instructions, question, the notes used), so
a model server's prompt cache can reuse it; only the task at the end differs. Citations are
constrained by construction: a restatement cites exactly the note it restates, and every cited
note was read by the agent. Sources are assembled by code from the notes themselves.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime

from pydantic import BaseModel, Field

from . import angles, prompts
from .checks import clean_sentence, finish, overlap
from .compose_prompt import MIN_SPAN, SEED, TRIES, shared_prompt
from .errors import LLMError
from .facts import missing_numbers
from .faithful import REPORTS, departure, only_setup
from .fragments import fragment
from .framing import NEAR, answer_sentence
from .framing import write as framing_of
from .insight import NOT_ASKED
from .insight import write as insight_of
from .llm import LLM
from .next_lines import propose
from .reading import RUN, read_line
from .retrieval import Retriever, SearchOptions
from .types import Evidence, Finding, Line, Note, Paragraph, ReadNote, Sentence, SourceEntry, Step
from .wording import (
    content,
    copied_mask,
    grams,
    note_sentences,
    split_sentences,
    tokens,
    without_answer,
)

log = logging.getLogger(__name__)

COPIED = "copied"
SETUP = "setup"  # a faithful sentence of how the study was done, not of what it found
# a restatement kept in its note's words with this share copied or more is a near-verbatim copy,
# left out of a paragraph that has other findings (dev4: such sentences copied 0.89-0.98)
VERBATIM = 0.75
CENTRAL = 2  # the line's best-ranked notes, kept even as near-verbatim copies
# reading faults of a sentence that is still faithful and whole: kept when no try does better,
# and named in the verdict (revision may still drop an opener that repeats the question)
FAITHFUL = frozenset({"copied", "repeated_opener"})
STUDY = r"(?:study|paper|work|note|authors|researchers|experiment|analysis)"  # "The study found"
OnText = Callable[[str], None]


class RestatedOut(BaseModel):
    text: str = Field(min_length=MIN_SPAN, max_length=400)


# words a restatement is made to open with once a try has copied its note: the note's clause
# order cannot survive them. Measured on 8 notes the 1.5B had kept verbatim in dev runs, two
# tries each: words copied in runs of 8+ fell from a median 0.72 of a sentence to 0.32.
# ("Given", "Across" and "On" were dropped after a dev run: they drew "Given its result," and
# "across all evaluations", the latter taken from another note)
OPENERS = ("After", "In", "When", "With", "For", "By", "Once")
# a forced opening filled with nothing ("In a study,", "Given its result,"): the sentence is
# asked for again
FILLER = re.compile(
    r"^(?:after|in|when|with|for|by|once|given|across|on)\s+(?:a|an|the|this|its|their|one)\s+"
    r"(?:\w+\s+)?(?:study|studies|result|results|paper|work|experiment|research|findings?|"
    r"analysis|note)\s*,",
    re.I,
)


def opened(openers: Sequence[str]) -> type[RestatedOut]:
    """RestatedOut held by its grammar to open with one of ``openers``."""
    shape = rf"^(?:{'|'.join(openers)}) [^\n]{{8,380}}$"

    class Opened(RestatedOut):
        text: str = Field(min_length=MIN_SPAN, max_length=400, pattern=shape)

    Opened.__name__ = Opened.__qualname__ = "RestatedOut"
    return Opened


def sources_of(body: Sequence[Paragraph], notes: Mapping[str, Note]) -> tuple[SourceEntry, ...]:
    """The cited notes in order of first citation, each with its own title and summary."""
    order = dict.fromkeys(c for p in body for c in p.cites)
    return tuple(
        SourceEntry(note_id, notes[note_id].title, notes[note_id].summary)
        for note_id in order
        if note_id in notes
    )


def without_reporter(sentence: str, note_id: str) -> str:
    """``sentence`` without an opening "<note id> found that" (the id spaced out or not): what
    follows "that" is a whole clause, checked like any sentence; a verb left without its subject
    is not (the reading pass finds it), so nothing else is cut."""
    name = r"[\s-]+".join(re.escape(part) for part in note_id.split("-"))
    match = (
        re.match(
            rf"(?i)^(?:the\s+)?(?:{STUDY}\s+)?{name}(?:'s)?(?:\s+{STUDY})?\s+{REPORTS}\s+that\s+",
            sentence,
        )
        or re.match(rf"(?i)^(?:the|this|one)\s+{STUDY}\s+{REPORTS}\s+that\s+", sentence)
        or re.match(rf"(?i)^{name}\s*:\s+", sentence)  # "rlhf-hurts-calibration: The …"
    )
    if not match:
        return sentence
    rest = sentence[match.end() :]
    return rest[:1].upper() + rest[1:]


def copied_share(sentence: str, note: Note, run: int = RUN) -> float:
    """The share of ``sentence``'s words inside runs of ``run``+ words copied from ``note``."""
    source: set[tuple[str, ...]] = set()
    for said in note_sentences(note):
        source |= grams(tokens(said), run)
    words = tokens(sentence)
    return sum(copied_mask(words, source, run)) / len(words) if words else 0.0


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
        used = list(evidence.relevant) if answered else self._closest(evidence)
        answer, answering = angles.settled_answer(question, [r.note for r in used])
        if not answered:
            answer = ""
        used.sort(key=lambda r: r.note.id not in answering)  # the answering notes lead
        draft = Draft(self, question, used, evidence)

        if answered:
            said = answer_sentence(answer, answered, question, bool(answering))
            framing = framing_of(draft, said)
        else:  # the model's account of a question the notes do not reach presumes an answer
            framing = draft.framing_text = f"{NEAR} {answer_sentence(answer, answered)}"
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

    @staticmethod
    def _closest(evidence: Evidence) -> list[ReadNote]:
        """When too little is relevant: what little is, then the best-ranked of the rest."""
        ordered = list(evidence.relevant) + [r for r in evidence.read if not r.relevant]
        return ordered[:3]


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
        self.body: list[Paragraph] = []
        self.steps: list[Step] = []  # what was set aside, and why
        self.verbatim: dict[str, float] = {}  # kept in the note's words: its copied share
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
        except LLMError as exc:
            if "does not fit" not in str(exc):
                raise
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

    def restate(self, note: Note, lead: str, current: Sequence[Sentence]) -> list[str]:
        """One checked sentence restating ``note``; [] when no try passes. The first try is
        greedy; the others are sampled (seeded), since a greedy model given its own copy back
        tends to write the same copy again."""
        claim = without_answer(note.summary)
        retry = ""
        schema: type[RestatedOut] = RestatedOut
        faithful: list[tuple[bool, float, str]] = []  # whole and exact: setup?, copied, text
        for attempt in range(TRIES):
            task = prompts.render("compose_restate", note_id=note.id, claim=claim, retry=retry)
            out = self.ask(task, schema, 150, sample=attempt and SEED + attempt)
            said = finish(str(getattr(out, "text", "")))
            said = without_reporter(split_sentences(said)[0], note.id) if said else ""
            text = angles.joined(lead, said, self.proper) if said else ""
            why = self.problem(said, text, note, current)
            log.debug("restate %s, try %d: %r -> %s", note.id, attempt + 1, said, why or "kept")
            if not why:
                return [text]
            if why.startswith((COPIED, SETUP)):  # a result in the note's words comes first
                faithful.append((why.startswith(SETUP), copied_share(said, note), text))
            if why.startswith(COPIED):
                why = "it copies the note's own wording"
                schema = opened(self.fresh_openers(current, claim))
            elif why.startswith(SETUP):
                why = "it says how the study was done, not what it found; give its result"
            # the reason only: quoted back, its own words are what a small model writes again
            retry = f"\n\nYour last try was set aside: {why}. Write it differently."
        # a faithful sentence in the note's words beats none, and far beats a wrong paraphrase:
        # it stays, and the verdict names it as copied
        if faithful:
            self.steps.append(Step("compose", "kept in the note's own words", note.id))
            _, share, text = min(faithful)
            self.verbatim[text] = share
            return [text]
        self.steps.append(Step("compose", f"left out: {why} ({TRIES} tries)", note.id))
        return []

    def fresh_openers(self, current: Sequence[Sentence], claim: str) -> list[str]:
        """OPENERS that neither the note's claim (a claim opening "Given …" was copied whole
        after a forced "Given") nor a sentence of the line opens with yet, so that forced
        openings do not make paragraphs open alike; all but the claim's when none is left."""
        said = [s.text for p in self.body for s in p.sentences] + [s.text for s in current]
        firsts = {w for t in said for w in t.replace(",", " ").split()[:4]}
        own = claim.split(" ", 1)[0].strip(",").capitalize()
        fresh = [o for o in OPENERS if o not in firsts and o.lower() not in firsts and o != own]
        return fresh or [o for o in OPENERS if o != own]

    def problem(self, bare: str, text: str, note: Note, current: Sequence[Sentence]) -> str:
        """Why ``text`` (``bare`` before its lead) may not stand in the body, or ''. A reason
        that starts with SETUP or COPIED is the only fault: the sentence is faithful, but says
        only how its study was done, or is not reworded; it is kept when no try does better."""
        if not bare or clean_sentence(bare, question=self.question, earlier=[]) != bare:
            return "it is not one whole, plain sentence"
        why = fragment(bare, [note], first_in_paragraph=True)
        if why:
            return f"it reads as a fragment ({why})"
        filler = FILLER.match(bare)
        if filler:
            return f"it opens with {filler.group(0)!r}, which says nothing"
        missing = missing_numbers(bare, [note.title, note.summary, note.body], exact=True)
        if missing:
            return f"it gives {', '.join(missing)}, which the note does not"
        said = f"{note.title} {note.summary} {note.body}"
        # a name another note of the line gives: "Alpaca … generated by ChatGPT imitation data",
        # of a note on data from text-davinci-003 (a reworded try, dev10's notes)
        names = {w.strip("\"'()[],;:.").removesuffix("'s") for w in bare.split()}
        own = f"{said} {self.question}".lower()
        elsewhere = sorted(w for w in names & self.proper if w.lower() not in own)
        if elsewhere:
            return f"it names {', '.join(elsewhere)}, which its note does not"
        borrowed = sorted((content(bare) & content(self.question)) - self.held)
        if borrowed:
            return f"it speaks of {', '.join(borrowed)}, which none of the notes do"
        departs = departure(bare, said, self.question)
        if departs:
            return departs
        earlier = [s.text for p in self.body for s in p.sentences] + [s.text for s in current]
        if any(overlap(bare, e) >= 0.8 for e in earlier):
            return "it repeats an earlier sentence"
        trial = Paragraph((*current, Sentence(text, (note.id,))))
        line = self._line(body=(*self.body, trial))
        found = self._findings(line, "body", (len(self.body), len(current)))
        if found and not all(f.kind in FAITHFUL for f in found):
            return "it " + "; ".join(dict.fromkeys(f.detail for f in found))
        if only_setup(bare, without_answer(note.summary)):
            return f"{SETUP}: it says how the study was done, not what it found"
        if found:
            copied = [f for f in found if f.kind == "copied"] or found
            return f"{COPIED}: {copied[0].detail}"
        return ""

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
