"""What every composing step of a line shares: the opening of its prompt, so a model server's
prompt cache can reuse it (the instructions, the question and the notes' claims, then the step's
own task), and how many tries a span gets, with which seeds."""

from __future__ import annotations

from collections.abc import Sequence

from . import prompts
from .types import Note

TRIES = 3  # tries of one span: the first greedy, the rest sampled with the reason the last failed
SEED = 23  # seeds of the sampled tries, so that a line can be made again
# a floor on each span's length: without one the grammar lets a small model answer with "",
# which the 0.5B did for the first try of most restatements
MIN_SPAN = 12


def shared_prompt(
    question: str, notes: Sequence[Note], task: str, *, ids: bool = True
) -> list[dict[str, str]]:
    """The messages of one composing step: the same opening for every step of a line (its
    instructions, question and notes), then the step's own task. Without ``ids`` the notes'
    claims are listed bare (a step whose output named notes by id tries again so, giving up
    the cached opening for that one call)."""
    if not ids:
        return claims_prompt(question, [n.summary for n in notes], task)
    evidence = "\n".join(f"- {n.id}: {n.summary}" for n in notes)
    return prompts.split(prompts.render("compose", question=question, evidence=evidence, task=task))


def claims_prompt(question: str, claims: Sequence[str], task: str) -> list[dict[str, str]]:
    """A composing step's messages over bare claims (no ids): the notes listed are the ones
    the step is about, not the line's (the next lines open from notes the line did not use)."""
    evidence = "\n".join(f"- {claim}" for claim in claims)
    return prompts.split(prompts.render("compose", question=question, evidence=evidence, task=task))
