"""Retrieval over the store. Dense search for now; hybrid retrieval will live here too."""

from __future__ import annotations

from .embeddings import Embedder
from .errors import InquirerError
from .store import IndexSpec, Store
from .types import Hit

MAX_QUERY_CHARS = 2000


class DenseRetriever:
    """Embeds the query with the index's model and returns the nearest notes."""

    def __init__(self, store: Store, embedder: Embedder, *, chunk_words: int) -> None:
        self.store = store
        self.embedder = embedder
        self.chunk_words = chunk_words

    def search(self, query: str, k: int) -> list[Hit]:
        text = " ".join(query.split())
        if not text:
            raise InquirerError("the query is empty", hint="give a few words to search for")
        self.store.require()  # a missing index is reported before the model loads
        spec = IndexSpec(self.embedder.model_id, self.embedder.dimension, self.chunk_words)
        self.store.require(spec)
        vector = self.embedder.embed([text[:MAX_QUERY_CHARS]])[0]
        return self.store.query(vector.tolist(), k)
