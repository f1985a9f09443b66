"""The opening every composing step of a line shares, so a model server's prompt cache can reuse
it: the instructions, the question and the notes' claims, then the step's own task."""

from __future__ import annotations

from collections.abc import Sequence

from . import prompts
from .types import Note


def shared_prompt(
    question: str, notes: Sequence[Note], task: str, *, ids: bool = True
) -> list[dict[str, str]]:
    """The messages of one composing step: the same opening for every step of a line (its
    instructions, question and notes), then the step's own task. Without ``ids`` the notes'
    claims are listed bare (a step whose output named notes by id tries again so, giving up
    the cached opening for that one call)."""
    evidence = "\n".join(f"- {n.id}: {n.summary}" if ids else f"- {n.summary}" for n in notes)
    return prompts.split(prompts.render("compose", question=question, evidence=evidence, task=task))
