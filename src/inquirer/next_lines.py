"""The next inquiring lines: 3-5 questions that open from relevant notes a line did not use.

The model proposes one a note, under a schema that holds it to an opener that is not a
template; code then checks its shape, novelty and answerability (followups.py), and says in the
trace what it set aside and why.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence
from functools import cache, partial
from typing import Annotated

from pydantic import BaseModel, Field, create_model

from . import followups, prompts
from .checks import foreign_script, words
from .compose_prompt import SEED
from .directions import unsaid_comparison
from .errors import UnfitOutput
from .faithful import unsaid_negation
from .llm import LLM
from .reading import next_problem
from .retrieval import Retriever
from .types import Evidence, SourceEntry, Step
from .wording import content, grams, tokens, without_answer

log = logging.getLogger(__name__)
# words no question ends on: one that does was cut off at its length limit
DANGLING = frozenset(
    ["the", "a", "an", "and", "or", "but", "of", "while", "than", "whether", "its", "their", "as"]
)

# how a next line opens, one note's question after another: a cause, a measure, a limit. The
# schema holds the model to its opener as it writes (llama.cpp turns the pattern into a grammar).
# Measured on the 1.5B (2026-12-05, seven notes of the README's question): "Does …" and "Under
# what conditions …" drew questions about the study ("Does the study also provide insights into
# …?", "Under what conditions does the finding … not answer?"); these four kept to the subject.
OPENERS = ("What explains", "How much", "What limits", "Why does")
NEXT_LIMIT = 120  # characters after the opener; the grammar closes a question with "?" there
ASKED = 8  # notes asked for a next line, one question each
WANTED = 5  # next lines a line shows at most
FEWEST = 3  # next lines a line should show (FORMAT.md): below it, more notes are asked
# notes asked beyond ASKED while fewer than FEWEST are kept: in the full suite's first 17 lines
# of 2026-12-05, 5 kept fewer than 3 from 8 notes, most set aside as "too few notes for it"
MORE = 6
# the question's hits a next line may open from, after its own notes: with the top ASKED alone,
# the pool of each of dev11's lines that kept fewer than 3 next lines ran out at 5-7 notes
SEARCHED = 16
REPEATED_RUN = 5  # words in a row two next lines may not share: the same question re-opened
# the cosine to the line's question of a note a next line may open from, unless the line cited
# it; they are asked closest first. dev9 q002, on LoRA: the uncited notes on forgetting and
# proxy-tuning at 0.39-0.43, those it asked from instead on judges' position bias at 0.19 and
# RLVR at 0.28 (now asked after every closer one). dev10 q073, on interventions that reduce
# sycophancy: the uncited notes on sycophancy under RLHF, activation addition and
# representation engineering at 0.28-0.30 (at 0.35 it had none, and 0 next lines). The next
# line's own cosine to the question tells less: below the README's question, one from
# Flan-PaLM gave 0.12 and one from SCoRe's self-correction 0.18, so it is not used.
NOTE_NEAR = 0.28
FROM_NOTE = 2  # content words a next line takes from the note it opens from, beyond the question's
# a question cut off at its length limit is asked for once more, shorter (sampled, seeded): over
# the dev runs and the full suite's first lines of 2026-12-05, 44 of 251 proposals were cut
# short, and 11 of 37 lines ended with fewer than 3 next lines
CUT = "cut short"
SHORTER = 1
TOO_LONG = "Your last question ran too long and was cut off. Ask it in at most 12 words."


class NextOut(BaseModel):
    question: str


@cache
def next_schema(opener: str) -> type[NextOut]:
    """One question that opens with ``opener``, held to it by the model's grammar."""
    shape = rf"^{opener} [^?\n]{{8,{NEXT_LIMIT}}}\?$"
    field = Annotated[str, Field(max_length=NEXT_LIMIT + 30, pattern=shape)]
    return create_model("NextOut", __base__=NextOut, question=(field, ...))


def propose(
    llm: LLM,
    retriever: Retriever,
    question: str,
    evidence: Evidence,
    sources: Sequence[SourceEntry],
    steps: list[Step] | None = None,
) -> list[str]:
    """Up to 5 questions, each opened from one relevant note the line did not use and checked
    for its shape (no template, no talk of the notes, no note's title, whole), for opening from
    its note, and for novelty (against the question and each other) and answerability. ASKED
    notes are asked, and up to MORE after them while fewer than FEWEST next lines are kept.

    One call a note, shown that note's claim alone: shown the line's question, the 1.5B asked
    it again ("Why does instruction tuning teach a model the task, or only the output
    format?", make run, 0 of 10 kept); shown the line's own notes, it asked again what the line
    had just said; shown ids, it named notes by id."""
    pool = candidates(retriever, question, evidence, sources)
    if not pool:
        return []
    titles = [c.hit.title for c in retriever.cards(retriever.note_ids()).values()]
    ids = [r.note.id for r in evidence.read]
    kept: list[str] = []
    refused: dict[str, str] = {}
    unfit = 0  # notes whose question did not fit its form
    for k, (_title, summary) in enumerate(pool[: ASKED + MORE]):
        if k >= ASKED and len(kept) >= FEWEST:
            break
        # the claim without its answer words ("Mostly the format."), which are no finding
        claim = without_answer(summary)
        opener = OPENERS[k % len(OPENERS)]
        why_not = partial(refusal, question=question, titles=titles, ids=ids, claim=claim)
        tries = asked(llm, claim, opener, why_not)
        if not tries:  # no try fit its form: the next note is asked
            unfit += 1
            continue
        refused |= dict(tries[:-1])  # a try cut short, asked again shorter
        proposal, why = tries[-1]
        if not why:
            check = followups.assess(retriever, question, [*kept, proposal])[-1]
            why = (
                "a paraphrase"
                if not check.novel
                else "too few notes for it"
                if not check.answerable
                else "repeats an earlier one's words"
                if repeats(proposal, kept)
                else ""
            )
        if why:
            refused[proposal] = why
        else:
            kept.append(proposal)
        if len(kept) == WANTED:
            break
    log.debug("next lines: %r kept, %r set aside", kept, refused)
    if steps is not None:
        detail = f"next lines: {len(kept)} of {len(kept) + len(refused)} kept"
        if refused:
            detail += "; set aside " + "; ".join(f"{q!r} ({w})" for q, w in refused.items())
        if unfit:
            detail += f"; {unfit} did not fit its form"
        steps.append(Step("compose", detail))
    return kept


def asked(
    llm: LLM, claim: str, opener: str, refused: Callable[[str], str]
) -> list[tuple[str, str]]:
    """The tries at one note's next line, each with why ``refused`` sets it aside (or ''): the
    first greedy, and a question cut short asked for once more, shorter (SHORTER); none when a
    try's output does not fit its form."""
    tries: list[tuple[str, str]] = []
    for attempt in range(1 + SHORTER):
        retry = "" if not attempt else f"\n\n{TOO_LONG}"
        task = prompts.render("compose_next", finding=claim, opener=opener, retry=retry)
        try:
            out, _ = llm.structured(
                prompts.split(task),
                next_schema(opener),
                max_tokens=60,
                sample=attempt and SEED + attempt,
            )
        except UnfitOutput as exc:
            log.debug("next line from %r did not fit its form: %s", claim, exc.message)
            return []
        proposal = " ".join(out.question.split())
        tries.append((proposal, refused(proposal)))
        if tries[-1][1] != CUT:
            break
    return tries


def candidates(
    retriever: Retriever, question: str, evidence: Evidence, sources: Sequence[SourceEntry]
) -> list[tuple[str, str]]:
    """The notes to open next lines from, as (title, summary), in the order they are asked:
    the notes the line read and found relevant but did not cite (FORMAT: "prefer questions that
    open from relevant notes the current line did not use"), closest first; then the notes it
    cited, closest first, for what they leave open; then the other notes close to the question
    (found but not read, or among its own top ASKED hits, not found relevant); then, for a line
    those leave short, the notes linked from a relevant note or further down the question's
    hits (to SEARCHED). Found-but-unread notes alone gave next lines on GPT-4's position bias and
    RLVR below a question on LoRA (dev9 q002, cosine to the question 0.08 and 0.15); asked
    before the cited notes, the close notes the agent had not found relevant gave dev13 q002 (on
    LoRA and forgetting) next lines on long responses, GPT-3.5's safety and RLVR, and the
    further ones displaced dev11 q006's next line on imitation models' gaps with one on
    proxy-tuning's decoding time."""
    cited = {s.note_id for s in sources}
    own = {
        r.note.id: (r.note.title, r.note.summary)
        for r in evidence.read
        if r.relevant and r.note.id not in cited
    }
    hits = [h.note_id for h in retriever.search(question, SEARCHED)]
    linked = [link for r in evidence.read if r.relevant for link in r.note.links]
    close = [*own, *hits[:ASKED], *evidence.unread]
    cards = retriever.cards([i for i in dict.fromkeys(close + hits + linked) if i not in cited])
    card = {i: (c.hit.title, c.hit.summary) for i, c in cards.items()}
    pool = {i: own.get(i) or card[i] for i in dict.fromkeys(close) if i in own or i in card}
    further = {i: card[i] for i in dict.fromkeys(hits + linked) if i in card and i not in pool}
    used = {s.note_id: (s.title, s.summary) for s in sources}
    every = {**pool, **further, **used}
    near = dict(
        zip(
            every,
            followups.closeness(retriever, question, [f"{t} {s}" for t, s in every.values()]),
            strict=True,
        )
    )

    def closest(notes: dict[str, tuple[str, str]], floor: float) -> list[tuple[str, str]]:
        ranked = sorted(notes, key=lambda i: -near[i])
        return [notes[i] for i in ranked if near[i] >= floor]

    rest = {i: pool[i] for i in pool if i not in own}
    return (
        closest(own, NOTE_NEAR)
        + closest(used, -1.0)
        + closest(rest, NOTE_NEAR)
        + closest(further, NOTE_NEAR)
    )


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
    after = re.sub(rf"^(?:{'|'.join(OPENERS)}) ", "", question).rstrip("?")
    if len(after) >= NEXT_LIMIT:  # the grammar's "?" came at the limit, mid-word ("bootstr?")
        return True
    last = question.rstrip("?").split()[-1:] or [""]
    word = last[0]
    single = len(word) == 1 and word.islower() and word != "a"  # "… significantly, b?"
    return word.endswith(("-", ",", "(")) or word.lower() in DANGLING or single


def named_id(question: str, ids: Sequence[str]) -> str:
    """The note id ``question`` names (the 1.5B writes "the self-rag-reflection-tokens
    method"), or ''."""
    said = tokens(question)
    return next((i for i in ids if i in said), "")


def refusal(q: str, question: str, titles: Sequence[str], ids: Sequence[str], claim: str) -> str:
    """Why a proposed next line fails its shape or does not open from its note, or ''."""
    if not q.endswith("?") or not 4 <= len(words(q)) <= 30 or foreign_script(q, question):
        return "not one plain question"
    if cut_short(q):
        return CUT
    if named_id(q, ids):
        return f"names a note by its id ({named_id(q, ids)})"
    problem = next_problem(q, titles, asked=question)[1]
    if problem:
        return problem
    if not opens_from(q, question, [claim]):
        return "opens from none of the notes"
    # a question presumes what it asks about: "Why does the 175B InstructGPT outperform the
    # 1.3B RLHF model …?" of a note where the 1.3B model was preferred
    presumed = unsaid_comparison(q, claim) or unsaid_negation(q, claim)
    if presumed:
        return f"presumes {presumed!r}, which its note does not say"
    return ""
