"""Builds the working parts from Settings: the one place that wires store, model and indexer."""

from __future__ import annotations

from pathlib import Path

from .config import Settings
from .embeddings import CrossEncoderScorer, Embedder, SentenceTransformerEmbedder
from .indexer import Indexer
from .lexical import LexicalIndex
from .llm import LiteLLM, LLMConfig
from .llm_rerank import LLMReranker, is_llm_reranker
from .local_model import best_installed
from .retrieval import Mode, Retriever, Scorer, SearchOptions
from .store import Store
from .types import Filters


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


def build_llm(settings: Settings, model: str | None = None) -> LiteLLM:
    """The answering model: ``model``, else the setting, else the best local model installed."""
    chosen = model or settings.model or best_installed()
    return LiteLLM(
        LLMConfig(
            model=chosen,
            api_base=settings.llm_api_base,
            api_key=settings.llm_api_key,
            timeout=settings.llm_timeout,
            retries=settings.llm_retries,
            cache=settings.models_dir,
            threads=settings.llm_threads,
        )
    )


def lexical_path(settings: Settings) -> Path:
    """The lexical index sits beside the vectors it mirrors (per server, in server mode)."""
    if settings.store_mode == "server":
        name = f"lexical-{settings.server_host}-{settings.server_port}-{settings.collection}"
        return settings.home_dir / f"{name}.sqlite"
    return settings.index_dir / f"lexical-{settings.collection}.sqlite"


def build_retriever(settings: Settings, embedder: Embedder | None = None) -> Retriever:
    """The retriever for ``settings``; pass ``embedder`` to reuse a model already loaded."""
    return Retriever(
        Store.open(settings),
        embedder or build_embedder(settings),
        chunk_words=settings.chunk_words,
        lexical=LexicalIndex(lexical_path(settings)),
        reranker=build_reranker(settings),
        rerank_depth=settings.rerank_depth,
        link_decay=settings.link_decay,
        link_parents=settings.link_parents,
    )


def build_reranker(settings: Settings) -> Scorer | None:
    """The rerank_model setting: '' none, 'llm' or 'llm:<model>' a language model, else a
    cross-encoder id or path."""
    setting = settings.rerank_model
    if not setting:
        return None
    if is_llm_reranker(setting):
        model = setting.partition(":")[2] or None
        return LLMReranker(build_llm(settings, model))
    return CrossEncoderScorer(setting)


def search_options(
    settings: Settings,
    *,
    mode: Mode | None = None,
    filters: Filters | None = None,
    rerank: bool | None = None,
    links: bool | None = None,
    diversity: float | None = None,
) -> SearchOptions:
    """Search options from the settings, each overridden where a value is given."""
    return SearchOptions(
        mode=mode or settings.search_mode,
        filters=filters,
        rerank=bool(settings.rerank_model) if rerank is None else rerank,
        links=settings.search_links if links is None else links,
        diversity=settings.search_diversity if diversity is None else diversity,
    )
