"""The next inquiring lines: 3-5 questions that open from relevant notes a line did not use.

The model proposes them under a schema that holds each to an opener that is not a template;
code then checks their shape, novelty and answerability (followups.py), and says in the trace
what it set aside and why.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from typing import Annotated

from pydantic import BaseModel, Field

from . import followups, prompts
from .checks import foreign_script, words
from .compose_prompt import claims_prompt
from .llm import LLM
from .reading import next_problem
from .retrieval import Retriever
from .types import Evidence, SourceEntry, Step
from .wording import content, grams, tokens

log = logging.getLogger(__name__)
# words no question ends on: one that does was cut off at its length limit
DANGLING = frozenset(
    ["the", "a", "an", "and", "or", "but", "of", "while", "than", "whether", "its", "their", "as"]
)

# how a next line may open: a cause, a test, a condition, a measure. The schema holds the model
# to these openers as it writes (llama.cpp turns the pattern into a grammar), so the templates
# the 1.5B reaches for ("What is the effect / role / relationship of …") cannot come out.
NEXT_OPENERS = (
    r"Why|Does|Do|Did|Can|Could|Would|Will|Must|Should|Is|Are|Was|Were|Has|Have|When|Where|"
    r"Which|Whether|Under what|In what|"
    r"How (far|much|many|often|does|do|did|can|could|would|should|is|are)|"
    r"What (limits|makes|would|happens|explains|drives|breaks|decides|separates|predicts)"
)
NEXT_LIMIT = 140  # characters after the opener; the grammar closes a question with "?" there
NEXT_SHAPE = rf"^({NEXT_OPENERS}) [^?\n]{{8,{NEXT_LIMIT}}}\?$"
REPEATED_RUN = 5  # words in a row two next lines may not share: the same question re-opened
FROM_NOTE = 2  # content words a next line takes from the note it opens from, beyond the question's


class NextOut(BaseModel):
    questions: list[Annotated[str, Field(max_length=150, pattern=NEXT_SHAPE)]] = Field(
        min_length=3, max_length=5
    )


def propose(
    llm: LLM,
    retriever: Retriever,
    question: str,
    evidence: Evidence,
    sources: Sequence[SourceEntry],
    steps: list[Step] | None = None,
) -> list[str]:
    """3-5 questions that open from notes the line did not use, each checked for its shape
    (no template, no talk of the notes, no note's title), novelty (against the question
    and each other) and answerability (retrieval finds notes). Asked once more when fewer
    than 3 pass; a note's title is never put forward in place of a question."""
    cited = {s.note_id for s in sources}
    pool = [
        (r.note.title, r.note.summary)
        for r in evidence.read
        if r.relevant and r.note.id not in cited
    ]
    unread = retriever.cards(list(evidence.unread[:6]))
    pool += [(c.hit.title, c.hit.summary) for c in unread.values()]
    if len(pool) < 3:  # a small corpus, all of it cited: open from the cited notes too
        pool += [(s.title, s.summary) for s in sources]
    pool = pool[:6]
    if not pool:
        return []
    titles = [c.hit.title for c in retriever.cards(retriever.note_ids()).values()]
    # their claims only: given titles (questions already), a small model hands them back
    claims = [summary for _title, summary in pool]
    ids = [r.note.id for r in evidence.read]
    kept: list[str] = []
    retry = ""
    for attempt in range(2):
        listed = "\n".join(f"- {claim}" for claim in claims)
        task = prompts.render("compose_next", notes=listed) + retry
        # only the notes to open from, without their ids: shown the line's own notes too, the
        # 1.5B asked again what the line had just said ("How much does LoRA cut trainable
        # parameters …?" below a paragraph giving 10,000x); shown ids, it named notes by id
        # ("Why does the flare-active-retrieval method …?"). This one call gives up the
        # cached opening for it.
        messages = claims_prompt(question, claims, task)
        out, _ = llm.structured(messages, NextOut, max_tokens=260)
        proposals = [" ".join(q.split()) for q in out.questions]
        shaped = [
            q
            for q in dict.fromkeys([*kept, *proposals])
            if q.endswith("?")
            and 4 <= len(words(q)) <= 30
            and not foreign_script(q, question)
            and not next_problem(q, titles, asked=question)[0]
            and not named_id(q, ids)
            and not cut_short(q)
            and opens_from(q, question, claims)
        ]
        checks = followups.assess(retriever, question, shaped)
        passed = [c.question for c in checks if c.novel and c.answerable]
        kept = [q for k, q in enumerate(passed) if not repeats(q, passed[:k])]
        log.debug("next lines, try %d: %r -> %r", attempt + 1, proposals, kept)
        if steps is not None:
            refused = {
                q: _refusal(q, question, titles, ids, claims) for q in proposals if q not in kept
            }
            refused |= {
                c.question: "a paraphrase" if not c.novel else "too few notes for it"
                for c in checks
                if not (c.novel and c.answerable)
            }
            refused |= {q: "repeats an earlier one's words" for q in passed if q not in kept}
            detail = f"next lines, try {attempt + 1}: {len(kept)} of {len(proposals)} kept"
            if refused:
                detail += "; set aside " + "; ".join(f"{q!r} ({w})" for q, w in refused.items())
            steps.append(Step("compose", detail))
        if len(kept) >= 3:
            break
        claims.reverse()
        if any(named_id(q, ids) for q in proposals):
            retry = "\n\nName the method, model or result itself, never a note."
    return kept[:5]


def opens_from(proposal: str, question: str, claims: Sequence[str]) -> bool:
    """Whether ``proposal`` names something of one of ``claims`` that the line's question does
    not: at least FROM_NOTE content words of one claim beyond the question's (make run,
    2026-12-05: "When does instruction tuning work best?" opens from no note)."""
    own = content(proposal) - content(question)
    return any(len(own & content(claim)) >= FROM_NOTE for claim in claims)


def repeats(question: str, earlier: Sequence[str]) -> bool:
    """Whether ``question`` shares a run of REPEATED_RUN words with one of ``earlier`` (dev8
    q002: "Why does / Does / When does LoRA perform better than full fine-tuning for …?")."""
    own = grams(tokens(question), REPEATED_RUN)
    return any(own & grams(tokens(e), REPEATED_RUN) for e in earlier)


def cut_short(question: str) -> bool:
    """Whether the question was cut off at its length limit and closed with '?' mid-phrase
    ("… while the post-?")."""
    after = re.sub(rf"^(?:{NEXT_OPENERS}) ", "", question).rstrip("?")
    if len(after) >= NEXT_LIMIT:  # the grammar's "?" came at the limit, mid-word ("bootstr?")
        return True
    last = question.rstrip("?").split()[-1:] or [""]
    word = last[0]
    single = len(word) == 1 and word.islower() and word != "a"  # "… significantly, b?"
    return word.endswith(("-", ",")) or word.lower() in DANGLING or single


def named_id(question: str, ids: Sequence[str]) -> str:
    """The note id ``question`` names (the 1.5B writes "the self-rag-reflection-tokens
    method"), or ''."""
    said = tokens(question)
    return next((i for i in ids if i in said), "")


def _refusal(
    q: str, question: str, titles: Sequence[str], ids: Sequence[str], claims: Sequence[str]
) -> str:
    """Why a proposed next line fails its shape, or 'a paraphrase or too few notes for it'."""
    if not q.endswith("?") or not 4 <= len(words(q)) <= 30 or foreign_script(q, question):
        return "not one plain question"
    if cut_short(q):
        return "cut short"
    if named_id(q, ids):
        return f"names a note by its id ({named_id(q, ids)})"
    problem = next_problem(q, titles, asked=question)[1]
    if problem:
        return problem
    if not opens_from(q, question, claims):
        return "opens from none of the notes"
    return "a paraphrase or too few notes for it"
