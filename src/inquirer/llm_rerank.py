"""Rerank with a language model: one structured call that orders the candidates.

The candidates get short ids (p1, p2, ...) that the schema allows as an enum, so the model can
only name notes it was shown. A note's score is 1 / its position in the model's order, and 0 if
the model left it out. Set ``rerank_model = "llm"`` to rerank with the answering model, or
``"llm:<model>"`` for another.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

from pydantic import BaseModel, Field, create_model

from . import prompts
from .llm import LLM

PREFIX = "llm"


def is_llm_reranker(setting: str) -> bool:
    return setting == PREFIX or setting.startswith(PREFIX + ":")


def ranking_schema(count: int) -> type[BaseModel]:
    ids: Any = Literal[tuple(f"p{i}" for i in range(1, count + 1))]
    return create_model("Ranking", ranking=(list[ids], Field(max_length=count)))


class LLMReranker:
    """A Scorer (see retrieval.py) backed by a language model."""

    def __init__(self, llm: LLM, *, max_chars: int = 300) -> None:
        self.llm = llm
        self.model_id = f"{PREFIX}:{llm.model}"
        self.max_chars = max_chars

    def score(self, query: str, passages: Sequence[str]) -> list[float]:
        if not passages:
            return []
        listed = "\n".join(
            f"p{i}: {' '.join(p.split())[: self.max_chars]}" for i, p in enumerate(passages, 1)
        )
        rendered = prompts.render("rerank", question=query, passages=listed)
        out, _ = self.llm.structured(
            prompts.split(rendered), ranking_schema(len(passages)), max_tokens=8 * len(passages)
        )
        order = list(dict.fromkeys(out.model_dump()["ranking"]))
        position = {pid: n for n, pid in enumerate(order, start=1)}
        return [
            1.0 / position[f"p{i}"] if f"p{i}" in position else 0.0
            for i in range(1, len(passages) + 1)
        ]
