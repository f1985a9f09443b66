"""Builds the working parts from Settings: the one place that wires store, model and indexer."""

from __future__ import annotations

from .config import Settings
from .embeddings import SentenceTransformerEmbedder
from .indexer import Indexer
from .retrieval import DenseRetriever
from .store import Store


def build_embedder(settings: Settings) -> SentenceTransformerEmbedder:
    return SentenceTransformerEmbedder(
        settings.embedding_model, batch_size=settings.embedding_batch_size
    )


def build_indexer(settings: Settings) -> Indexer:
    return Indexer(
        Store.open(settings),
        build_embedder(settings),
        chunk_words=settings.chunk_words,
        max_bytes=settings.max_note_bytes,
    )


def build_retriever(settings: Settings) -> DenseRetriever:
    return DenseRetriever(
        Store.open(settings), build_embedder(settings), chunk_words=settings.chunk_words
    )
