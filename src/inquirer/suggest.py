"""New questions for a batch, proposed from the corpus.

Two sources, in this order: groups of notes that no line of the batch has cited yet (each note
with its nearest unused neighbours; the model writes one question the group answers together),
then the next lines of the lines already written. Every candidate is checked before it is kept:
a question (ends in '?', 4-30 words, no foreign script, about the subject rather than "the
notes"), answerable (retrieval finds notes close
to it), not a copy of a note's own title, and novel: not a paraphrase of a question the batch
has asked or of another suggestion.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Annotated

import numpy as np
from pydantic import BaseModel, Field

from . import prompts
from .checks import foreign_script, words
from .errors import LLMError
from .followups import ANSWERABLE, NOVELTY
from .llm import LLM
from .retrieval import Retriever
from .types import Card
from .writeback import TAG

log = logging.getLogger(__name__)

GROUP = 3  # notes per group
NEIGHBOUR = 0.40  # cosine a neighbour needs to join a group
TITLE_COPY = 0.92  # cosine to a member's title above which a question only restates it
# a question about the notes rather than about their subject ("what do these notes say ...?")
META = re.compile(
    r"\b(?:the|these|those|such|researcher'?s?)\s+notes?\b|\bresearcher|\bcorpus\b", re.I
)


class SuggestedOut(BaseModel):
    question: Annotated[str, Field(max_length=160)]


@dataclass(frozen=True)
class Suggestion:
    question: str
    origin: str  # "notes: a, b, c" or "next line of <question id>"


def note_groups(
    retriever: Retriever, used: set[str], limit: int, *, neighbour: float = NEIGHBOUR
) -> list[list[Card]]:
    """Up to ``limit`` groups of unused notes, each a note and its nearest unused neighbours,
    most tightly knit first. Generated lines are not material for new questions."""
    lexical = retriever._lexical()
    cards = lexical.cards(lexical.note_ids())
    unused = [c for nid, c in sorted(cards.items()) if nid not in used and TAG not in c.hit.tags]
    if len(unused) < 2:
        return []
    vectors = retriever.store.vectors([c.vector_id for c in unused])
    have = [c for c in unused if c.vector_id in vectors]
    matrix = np.array([vectors[c.vector_id] for c in have], dtype=np.float32)
    if len(have) < 2:
        return []
    similarity = matrix @ matrix.T
    np.fill_diagonal(similarity, -1.0)
    taken: set[int] = set()
    groups: list[tuple[float, list[int]]] = []
    for i in range(len(have)):
        if i in taken:
            continue
        order = [int(j) for j in np.argsort(-similarity[i]) if int(j) not in taken]
        members = [i] + [j for j in order[: GROUP - 1] if similarity[i, j] >= neighbour]
        if len(members) < 2:
            continue
        cohesion = float(np.mean([similarity[a, b] for a in members for b in members if a < b]))
        groups.append((cohesion, members))
        taken.update(members)
    groups.sort(key=lambda g: -g[0])
    return [[have[m] for m in members] for _, members in groups[:limit]]


class Suggester:
    def __init__(
        self,
        llm: LLM,
        retriever: Retriever,
        *,
        neighbour: float = NEIGHBOUR,
        answerable: float = ANSWERABLE,
    ) -> None:
        self.llm = llm
        self.retriever = retriever
        self.neighbour = neighbour  # the thresholds suit the embedding model's cosines
        self.answerable = answerable

    def suggest(
        self,
        n: int,
        *,
        asked: Sequence[str],
        used: set[str],
        next_lines: Sequence[tuple[str, str]] = (),
        on_progress: Callable[[int, int], None] | None = None,
    ) -> list[Suggestion]:
        """Up to ``n`` checked questions, none a paraphrase of ``asked`` or of each other."""
        embed = self.retriever.embedder.embed
        kept: list[Suggestion] = []
        known = list(embed(list(asked))) if asked else []
        groups = note_groups(self.retriever, used, limit=3 * n, neighbour=self.neighbour)
        total = len(groups) + len(next_lines)
        done = 0

        def consider(question: str, origin: str, titles: Sequence[str]) -> None:
            if len(kept) < n and self._acceptable(question, titles, known):
                known.append(embed([question])[0])
                kept.append(Suggestion(question, origin))

        for group in groups:
            if len(kept) >= n:
                break
            question = self._from_notes(group)
            titles = [c.hit.title for c in group]
            if question:
                consider(question, "notes: " + ", ".join(c.hit.note_id for c in group), titles)
            done += 1
            if on_progress:
                on_progress(done, total)
        for question, origin in next_lines:
            if len(kept) >= n:
                break
            consider(" ".join(question.split()), origin, ())
            done += 1
            if on_progress:
                on_progress(done, total)
        return kept

    def _from_notes(self, group: Sequence[Card]) -> str:
        listed = "\n".join(f"- {c.hit.title} {c.hit.summary}" for c in group)
        rendered = prompts.render("suggest_question", notes=listed)
        try:
            out, _ = self.llm.structured(prompts.split(rendered), SuggestedOut, max_tokens=90)
        except LLMError as exc:
            log.warning("no question for %s: %s", group[0].hit.note_id, exc.message)
            return ""
        return " ".join(out.question.split())

    def _acceptable(self, question: str, titles: Sequence[str], known: list[np.ndarray]) -> bool:
        if not question.endswith("?") or not 4 <= len(words(question)) <= 30:
            return False
        if META.search(question):
            return False
        if foreign_script(question, " ".join(titles) or question):
            return False
        vector = self.retriever.embedder.embed([question])[0]
        if any(float(vector @ k) >= NOVELTY for k in known):
            return False
        nearest = self.retriever.store.query(vector.tolist(), 2)
        if len(nearest) < 2 or nearest[1][1] < self.answerable:
            return False
        # not a note's own title again (a next line may be one): the group's, or the nearest
        cards = self.retriever.cards([nid for nid, _, _ in nearest])
        near = [*titles, *(c.hit.title for c in cards.values())]
        vectors = self.retriever.embedder.embed(near)
        return all(float(vector @ t) < TITLE_COPY for t in vectors)
