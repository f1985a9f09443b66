"""Builds the working parts from Settings: the one place that wires store, model and indexer."""

from __future__ import annotations

from pathlib import Path

from .config import Settings
from .embeddings import Embedder, SentenceTransformerEmbedder
from .indexer import Indexer
from .lexical import LexicalIndex
from .retrieval import Retriever
from .store import Store


def build_embedder(settings: Settings) -> SentenceTransformerEmbedder:
    return SentenceTransformerEmbedder(
        settings.embedding_model, batch_size=settings.embedding_batch_size
    )


def build_indexer(settings: Settings, embedder: Embedder | None = None) -> Indexer:
    """The indexer for ``settings``; pass ``embedder`` to reuse a model already loaded."""
    return Indexer(
        Store.open(settings),
        embedder or build_embedder(settings),
        chunk_words=settings.chunk_words,
        max_bytes=settings.max_note_bytes,
        lexical=LexicalIndex(lexical_path(settings)),
    )


def lexical_path(settings: Settings) -> Path:
    """The lexical index sits beside the vectors it mirrors (per server, in server mode)."""
    if settings.store_mode == "server":
        name = f"lexical-{settings.server_host}-{settings.server_port}-{settings.collection}"
        return settings.home_dir / f"{name}.sqlite"
    return settings.index_dir / f"lexical-{settings.collection}.sqlite"


def build_retriever(settings: Settings) -> Retriever:
    return Retriever(
        Store.open(settings),
        build_embedder(settings),
        chunk_words=settings.chunk_words,
        lexical=LexicalIndex(lexical_path(settings)),
    )
