"""Retrieval over the store: dense, lexical (BM25) and hybrid (reciprocal-rank fusion).

Dense search embeds the query with the index's model; lexical search asks the FTS5 index;
hybrid fuses the two rankings by reciprocal rank (Cormack et al., 2009, k = 60), which needs
no score calibration between the two.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Literal

from .embeddings import Embedder
from .errors import InquirerError, StoreError
from .lexical import LexicalIndex
from .store import IndexSpec, Store
from .types import Hit

MAX_QUERY_CHARS = 2000
RRF_K = 60
Mode = Literal["dense", "bm25", "hybrid"]


def rrf(rankings: list[list[Hit]], k: int, *, constant: int = RRF_K) -> list[Hit]:
    """Fuse rankings: each note scores the sum of 1 / (constant + rank) over the rankings."""
    scores: dict[str, float] = {}
    first: dict[str, Hit] = {}
    for ranking in rankings:
        for rank, hit in enumerate(ranking, start=1):
            scores[hit.note_id] = scores.get(hit.note_id, 0.0) + 1.0 / (constant + rank)
            first.setdefault(hit.note_id, hit)
    ordered = sorted(scores, key=lambda note_id: -scores[note_id])[:k]
    return [replace(first[note_id], score=scores[note_id]) for note_id in ordered]


class Retriever:
    """Finds the notes for a query with the chosen mode."""

    def __init__(
        self,
        store: Store,
        embedder: Embedder,
        *,
        chunk_words: int,
        lexical: LexicalIndex | None = None,
        candidates: int = 50,
    ) -> None:
        self.store = store
        self.embedder = embedder
        self.lexical = lexical
        self.chunk_words = chunk_words
        self.candidates = candidates

    def _clean(self, query: str) -> str:
        text = " ".join(query.split())
        if not text:
            raise InquirerError("the query is empty", hint="give a few words to search for")
        return text[:MAX_QUERY_CHARS]

    def dense(self, query: str, k: int) -> list[Hit]:
        self.store.require()  # a missing index is reported before the model loads
        spec = IndexSpec(self.embedder.model_id, self.embedder.dimension, self.chunk_words)
        self.store.require(spec)
        vector = self.embedder.embed([query])[0]
        return self.store.query(vector.tolist(), k)

    def bm25(self, query: str, k: int) -> list[Hit]:
        collection = self.store.require()
        if self.lexical is None or (self.lexical.is_empty() and collection.count() > 0):
            raise StoreError(
                "the index has no lexical (BM25) part yet",
                hint="run 'inquirer index' to add it (nothing is re-embedded)",
            )
        return self.lexical.search(query, k)

    def search(self, query: str, k: int, *, mode: Mode = "dense") -> list[Hit]:
        text = self._clean(query)
        if mode == "dense":
            return self.dense(text, k)
        if mode == "bm25":
            return self.bm25(text, k)
        n = max(self.candidates, k)
        return rrf([self.dense(text, n), self.bm25(text, n)], k)
