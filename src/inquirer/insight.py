"""The closing insight of a line: one sentence that concludes from two of its findings read
together, checked like the body and for drawing on both; '' when no try passes (the verdict then
names the missing insight, FORMAT.md). Each try hands the model two paragraphs that share words
beyond the question's, the pair most alike first: a 1.5B asked to conclude from a whole line
answers the question in its words (dev runs: no insight in 12 of 12 lines), while two findings
side by side give it something to join."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import NamedTuple, Protocol

from pydantic import BaseModel, Field

from . import prompts
from .checks import clean_sentence, finish
from .compose_prompt import MIN_SPAN, SEED, TRIES
from .directions import unsaid_comparison
from .faithful import REPORTS, added_words, unsaid_negation
from .types import Note, Paragraph, Step
from .wording import content, split_sentences

INSIGHT_LEAD = "The thing you didn't know you wanted to know:"
TRIED = "insight, try"  # the trace step of a try set aside, with its reason
KEPT = "insight, kept try"  # the trace step of the try shown
NOT_ASKED = "insight: not asked"  # the trace step of a line whose model is not asked for one
ECHO = 0.5  # share of an insight's content words that are the question's: an echo, not a conclusion
# an insight may add words that join two findings, not claims of its own: past this share of
# its content words from neither finding nor their notes, the 1.5B was found inventing ("the
# latter requiring more computational resources")
NOVEL = 1 / 3
# an insight holding this share of the question's content words restates the question as its
# answer ("A model's own uncertainty can be used to decide when to retrieve and when to trust a
# retrieved document over its memory, with …": a verdict the 1.5B cannot make)
RESTATED_QUESTION = 0.75
# what a small model opens an insight with in place of a claim: "The findings suggest that"
INSIGHT_OPENER = re.compile(
    r"^(?:(?:the|these|both|two|all|such)\s+)?(?:findings?|essay|stud(?:y|ies)|evidence|results?|"
    r"research|paragraphs?|papers?|a and b)\s+(?:\w+\s+){0,2}?"
    r"(?:suggests?|shows?|demonstrates?|indicates?|reveals?|supports?|found|finds|highlights?|"
    r"imply|implies|point|points)\s+(?:to\s+)?(?:the\s+idea\s+)?(?:that\s+)?",
    re.I,
)
# an insight that names a relation instead of stating it: "A link between the popularity of
# entities and retrieval accuracy, and a tension between …" (the 1.5B, with no verb)
RELATION = re.compile(
    r"^(?:an?|the)\s+(?:\w+\s+)?(?:link|tension|connection|relationship|relation|trade-?off|"
    r"contrast|interplay|balance|correlation)\s+between\b",
    re.I,
)
FINITE = re.compile(
    r"\b(?:is|are|was|were|can|could|may|might|will|would|does|do|did|has|have|had|shows?|"
    r"means?|suggests?|lies|lie|runs?|holds?|remains?|makes?|limits?|explains?|depends?)\b",
    re.I,
)


class InsightOut(BaseModel):
    text: str = Field(min_length=MIN_SPAN, max_length=320)


class Piece(NamedTuple):
    """A paragraph (or sentence) handed to the insight, with the notes it cites."""

    text: str
    cites: tuple[str, ...]


class Drafting(Protocol):
    """What the insight needs of the line in the making (composer.Draft)."""

    @property
    def question(self) -> str: ...
    @property
    def body(self) -> Sequence[Paragraph]: ...
    @property
    def by_id(self) -> Mapping[str, Note]: ...
    @property
    def held(self) -> set[str]: ...
    @property
    def steps(self) -> list[Step]: ...

    def ask(
        self, task: str, schema: type[BaseModel], max_tokens: int, sample: int = 0
    ) -> BaseModel | None: ...

    def insight_fault(self, insight: str) -> str: ...


def insight_sentence(raw: str, question: str, earlier: Sequence[str]) -> str:
    """The model's insight as it may be shown: its first whole sentence with a reporting
    opener ("The findings suggest that", "The thing you didn't know …:") cut, or ''."""
    text = re.sub(
        r"^the thing you didn'?t know you wanted to know:?\s*", "", raw.strip(), flags=re.I
    )
    text = INSIGHT_OPENER.sub("", text)
    text = finish(text)
    text = split_sentences(text)[0] if text else ""
    text = clean_sentence(text, question=question, earlier=earlier) if text else ""
    if RELATION.match(text) and not FINITE.search(text):
        return ""
    return text[:1].upper() + text[1:]


def write(draft: Drafting) -> str:
    """The insight of ``draft`` with its lead, or '' when no try passes; each failed try and
    its reason join the draft's steps."""
    pairs = pairs_of(draft.body, draft.question)
    if not pairs:
        return ""
    retry = ""
    said = [s.text for p in draft.body for s in p.sentences]
    for attempt in range(TRIES):
        first, second = pairs[attempt % len(pairs)]
        task = prompts.render("compose_insight", first=first.text, second=second.text, retry=retry)
        out = draft.ask(task, InsightOut, 160, sample=attempt and SEED + attempt)
        text = insight_sentence(str(getattr(out, "text", "")), draft.question, said)
        why = "it is not one whole, plain sentence"
        if text:
            insight = f"{INSIGHT_LEAD} {text}"
            why = draft.insight_fault(insight) or unjoined(text, (first, second), draft)
            if not why:
                draft.steps.append(Step("compose", f"{KEPT} {attempt + 1}"))
                return insight
        draft.steps.append(Step("compose", f"{TRIED} {attempt + 1}: {text!r} {why}"))
        retry = f"\n\nYour last try was set aside: {why}. Write another."
    return ""


def pairs_of(body: Sequence[Paragraph], question: str) -> list[tuple[Piece, Piece]]:
    """Two findings to join, in the order the insight tries them: pairs of paragraphs, most
    content words shared beyond the question's first; one paragraph's first two sentences
    when the line has one paragraph; none when it has one sentence."""
    asked = content(question)
    found = [
        Piece(" ".join(s.text for s in p.sentences), tuple(c for s in p.sentences for c in s.cites))
        for p in body
    ]
    if len(found) == 1 and len(body[0].sentences) >= 2:
        a, b, *_ = body[0].sentences
        return [(Piece(a.text, a.cites), Piece(b.text, b.cites))]
    pairs = [(a, b) for i, a in enumerate(found) for b in found[i + 1 :]]
    return sorted(pairs, key=lambda ab: -len((content(ab[0].text) & content(ab[1].text)) - asked))


def unjoined(text: str, pair: tuple[Piece, Piece], draft: Drafting) -> str:
    """Why an insight does not conclude from the two findings it was given, or '': it must
    draw words (beyond the question's) from both, not be mostly the question's own words (a
    verdict a small model cannot make), not speak of a subject of the question that neither
    the paragraphs nor the notes speak of, and not say one side won, or turn a finding
    round, where no note of the two findings does. Nor may it give numbers or say who found
    what: the 1.5B's insights that did ("Both Biderman et al. (2024) and … found that …
    99.3%") restated two findings, one of them wrongly."""
    asked = content(draft.question)
    mine = content(text)
    if re.search(r"\d", text):  # the 1.5B's insights with numbers restated two findings
        return "it gives numbers, where it should conclude from the findings without them"
    if re.search(rf"\bet al\b|\b{REPORTS}\s+that\b", text, re.I):
        return "it reports who found what instead of concluding"
    if (mine and len(mine & asked) / len(mine) >= ECHO) or (
        len(asked) >= 4 and len(mine & asked) / len(asked) >= RESTATED_QUESTION
    ):
        return "it answers in the question's own words instead of concluding from the findings"
    said = content(" ".join(s.text for p in draft.body for s in p.sentences))
    borrowed = sorted((mine & asked) - said - draft.held)
    if borrowed:  # the question's subject pinned on findings that do not speak of it
        return f"it speaks of {', '.join(borrowed)}, which no paragraph or note does"
    own = mine - asked
    if not all(own & content(f.text) for f in pair):
        return "it draws on one finding, not on two together"
    notes = " ".join(
        f"{draft.by_id[c].summary} {draft.by_id[c].body}"
        for f in pair
        for c in f.cites
        if c in draft.by_id
    )
    novel = added_words(text, f"{pair[0].text} {pair[1].text} {notes} {draft.question}", NOVEL)
    if novel:  # what neither finding nor its notes say
        return f"it adds what neither finding says ({', '.join(novel[:6])})"
    compared = unsaid_comparison(text, notes)
    if compared:
        return f"it says {compared!r}, a comparison no note of the two makes"
    negation = unsaid_negation(text, notes)
    if negation:
        return f"it says {negation!r} where neither note does"
    return ""
