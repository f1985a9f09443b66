"""Builds the working parts from Settings: the one place that wires store, model and indexer."""

from __future__ import annotations

import atexit
import logging
import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path

from . import followups
from .config import Settings
from .embeddings import CrossEncoderScorer, Embedder, NLIScorer, SentenceTransformerEmbedder
from .errors import ConfigError, StoreError
from .indexer import Indexer
from .judges import UNCALIBRATED, FactCheckJudge, Judge, LLMJudge, NLIJudge, Panel
from .lexical import LexicalIndex
from .llm import LLM, LiteLLM, LLMConfig
from .llm_rerank import LLMReranker, is_llm_reranker
from .local_model import best_installed, is_local
from .retrieval import Mode, Retriever, Scorer, SearchOptions
from .store import Store
from .types import Filters
from .verifier import Rule, Verifier

log = logging.getLogger(__name__)


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
        write_chunks=settings.index_write_chunks,
        max_bytes=settings.max_note_bytes,
        lexical=LexicalIndex(lexical_path(settings)),
        lock=lexical_path(settings).with_suffix(".lock"),
        lock_wait=settings.index_lock_wait,
        follow_outside_links=settings.follow_outside_links,
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
            parallel=settings.llm_parallel,
        )
    )


def lexical_path(settings: Settings) -> Path:
    """The lexical index sits beside the vectors it mirrors (per server, in server mode)."""
    if settings.store_mode == "server":
        name = f"lexical-{settings.server_host}-{settings.server_port}-{settings.collection}"
        return settings.home_dir / f"{name}.sqlite"
    return settings.index_dir / f"lexical-{settings.collection}.sqlite"


def writable(folder: Path) -> bool:
    """Whether a file can be made in ``folder`` (a read-only mount or a folder the user may only
    read cannot; os.access does not tell, for root, on a read-only mount)."""
    try:
        with tempfile.TemporaryFile(dir=folder):
            return True
    except OSError:
        return False


def readable_index(settings: Settings) -> Settings:
    """``settings``, or, when the embedded index folder cannot be written, settings that point
    at a private copy of it. Chroma and SQLite's WAL write on opening, even only to search, so
    a read-only home (a shared or mounted corpus) is searched through the copy, made once per
    process and removed at exit. Nothing is written to the user's index."""
    folder = settings.index_dir
    if settings.store_mode != "embedded" or not folder.is_dir() or writable(folder):
        return settings
    copy = Path(tempfile.mkdtemp(prefix="inquirer-index-"))
    atexit.register(shutil.rmtree, copy, ignore_errors=True)
    try:
        shutil.copytree(folder, copy, dirs_exist_ok=True)
    except OSError as exc:
        raise StoreError(
            f"the index at {folder} is read-only and cannot be copied to search it: {exc}",
            hint="make the folder writable, or point INQUIRER_HOME at a writable copy",
        ) from exc
    log.warning("the index at %s is read-only: searching a copy of it in %s", folder, copy)
    return settings.model_copy(update={"store_path": copy})


def build_retriever(settings: Settings, embedder: Embedder | None = None) -> Retriever:
    """The retriever for ``settings``; pass ``embedder`` to reuse a model already loaded."""
    settings = readable_index(settings)
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


def judge_model(settings: Settings, answering: str) -> str:
    """The LLM judge's model: the setting; else, for a local answering model, the strongest
    local model installed — a different one where that is no weaker (the 1.5B judges the
    0.5B), else the same model in a fresh context; else the answering model itself."""
    if settings.verify_model:
        return settings.verify_model
    if not is_local(answering):
        return answering
    return best_installed()


def build_verifier(settings: Settings, answering: LLM, retriever: Retriever) -> Verifier | None:
    """The verifier the settings ask for (None when verification is off)."""
    if not settings.verify:
        return None
    judges: list[Judge] = []
    for kind in dict.fromkeys(settings.verify_judges):
        if kind == "llm":
            chosen = judge_model(settings, answering.model)
            judges.append(
                LLMJudge(answering if chosen == answering.model else build_llm(settings, chosen))
            )
        elif kind == "nli":
            if not settings.nli_model:
                raise ConfigError(
                    "verify_judges includes 'nli' but nli_model is not set",
                    hint="set nli_model to an NLI cross-encoder folder or id",
                )
            judges.append(NLIJudge(NLIScorer(settings.nli_model)))
        else:
            if not settings.factcheck_model:
                raise ConfigError(
                    "verify_judges includes 'factcheck' but factcheck_model is not set",
                    hint="set factcheck_model, e.g. ollama/bespoke-minicheck",
                )
            judges.append(FactCheckJudge(build_llm(settings, settings.factcheck_model)))
    panel = Panel(judges) if judges else None
    threshold = settings.verify_threshold
    if threshold is None:
        threshold = panel.threshold() if panel else UNCALIBRATED
    confident = settings.verify_confident
    rule = Rule(
        threshold=threshold,
        confident=threshold if confident is None else confident,
        names_veto=settings.verify_names == "unsupported",
    )
    return Verifier(
        panel,
        rule=rule,
        followups=lambda question, lines: followups.assess(retriever, question, lines),
        relatedness=lambda question, texts: relatedness(retriever, question, texts),
        titles=lambda: titles(retriever),
        reading_fails=settings.verify_reading == "fail",
    )


def titles(retriever: Retriever) -> list[str]:
    """Every note title the index holds (a next line must not restate one)."""
    return [card.hit.title for card in retriever.cards(retriever.note_ids()).values()]


def relatedness(retriever: Retriever, question: str, texts: Sequence[str]) -> list[float]:
    """The cosine of ``question`` to each of ``texts`` (the reading pass's off-question check)."""
    return followups.closeness(retriever, question, texts)
