"""Retrieval over the store: the only module that imports llama_index.

A search runs in stages, each recorded on every hit so that ``search --explain`` can show it:

1. candidates: dense (the query's vector against every chunk, chunks collapsed to notes) and
   lexical (BM25 over title, summary, body and tags, title and summary weighted up);
2. fused: reciprocal-rank fusion of the two rankings (Cormack et al., 2009, k = 60), which
   needs no calibration between cosine and BM25 scores;
3. rerank (optional): a cross-encoder scores (query, title + summary) for the top candidates;
4. links (on by default): notes linked from the top hits join or rise at a decayed score;
5. diversity (optional): maximal marginal relevance (Carbonell & Goldstein, 1998) over the
   notes' claim vectors, so near-duplicates do not crowd out a different angle.

Filters (tags, folder, year) are applied inside both the vector and the lexical search, so a
narrow filter still returns its best notes rather than what survives of an unfiltered top-k.

The ranking stages are pure functions in stages.py; this module runs them against the store
and the note table. ``llama_retriever`` exposes the whole pipeline as a llama-index retriever,
for agents and query engines built on llama-index.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Protocol

from .chunking import note_version, parse_chunk_id
from .embeddings import Embedder
from .errors import InquirerError, StoreError
from .indexer import reconcile_lexical
from .lexical import TOKEN, LexicalIndex, query_terms
from .notes import MAX_BYTES, parse_bytes, read_bytes
from .stages import expand_links, mmr, ranked, rrf, staged
from .store import Store
from .store_schema import IndexSpec, StoredVersion
from .types import Card, Filters, Hit, Note, Stage

if TYPE_CHECKING:
    from llama_index.core.retrievers import BaseRetriever

log = logging.getLogger(__name__)

MAX_QUERY_CHARS = 2000
Mode = Literal["dense", "bm25", "hybrid"]
MODES: tuple[Mode, ...] = ("dense", "bm25", "hybrid")


class Scorer(Protocol):
    """Scores how well each passage answers a query (a cross-encoder, or an LLM judge)."""

    model_id: str

    def score(self, query: str, passages: Sequence[str]) -> list[float]: ...


@dataclass(frozen=True)
class SearchOptions:
    """How one search runs; the defaults are the settings' defaults."""

    mode: Mode = "hybrid"
    filters: Filters | None = None
    rerank: bool = False
    links: bool = False
    diversity: float = 1.0  # MMR lambda: 1 = relevance only


class Retriever:
    """Finds the notes for a query: candidates, fusion, and the optional stages."""

    def __init__(
        self,
        store: Store,
        embedder: Embedder,
        *,
        chunk_words: int,
        lexical: LexicalIndex | None = None,
        candidates: int = 50,
        reranker: Scorer | None = None,
        rerank_depth: int = 30,
        link_decay: float = 0.5,
        link_parents: int = 3,
    ) -> None:
        self.store = store
        self.embedder = embedder
        self.lexical = lexical
        self.chunk_words = chunk_words
        self.candidates = candidates
        self.reranker = reranker
        self.rerank_depth = rerank_depth
        self.link_decay = link_decay
        self.link_parents = link_parents

    # -- input ------------------------------------------------------------------------------

    @staticmethod
    def clean(query: str) -> str:
        """The query as searched: whitespace collapsed, at most MAX_QUERY_CHARS characters."""
        text = " ".join(query.split())
        if not text:
            raise InquirerError("the query is empty", hint="give a few words to search for")
        if not TOKEN.search(text):
            raise InquirerError(
                f"the query {text[:40]!r} has no words to search for",
                hint="use words, not only punctuation or symbols",
            )
        if len(text) > MAX_QUERY_CHARS:
            log.info("query cut from %d to %d characters", len(text), MAX_QUERY_CHARS)
            text = text[:MAX_QUERY_CHARS]
        return text

    # -- candidate stages -------------------------------------------------------------------

    def _dense(self, query: str, k: int, filters: Filters | None) -> list[Hit]:
        """The nearest notes, without their details yet (see ``_details``)."""
        self.store.require()  # a missing index is reported before the model loads
        spec = IndexSpec(self.embedder.model_id, self.embedder.dimension, self.chunk_words)
        self.store.require(spec)
        vector = self.embedder.embed([query])[0]
        nearest = self.store.query(vector.tolist(), k, filters=filters)
        bare = [
            Hit(note_id=note_id, title="", summary="", score=score, path="", chunk_index=chunk)
            for note_id, score, chunk in nearest
        ]
        return ranked(bare, "dense")

    def _details(self, hits: Sequence[Hit], cards: dict[str, Card]) -> list[Hit]:
        """Fill in title, summary, path and tags where a stage left them out (one read)."""
        missing = [h.note_id for h in hits if not h.title and h.note_id not in cards]
        cards.update(self._lexical().cards(missing))
        out = []
        for hit in hits:
            if hit.title:
                out.append(hit)
            elif hit.note_id in cards:  # else deleted since the search began
                card = cards[hit.note_id].hit
                out.append(
                    replace(
                        hit, title=card.title, summary=card.summary, path=card.path, tags=card.tags
                    )
                )
        return out

    def _lexical(self) -> LexicalIndex:
        """The lexical index; filled from the store once if it is empty but the store is not
        (a machine sharing a Chroma server, or a deleted file): nothing is re-embedded."""
        collection = self.store.require()
        if self.lexical is None:
            raise StoreError("this search has no lexical (BM25) index", hint="use --mode dense")
        if self.lexical.is_empty() and collection.count() > 0:
            added = reconcile_lexical(self.store, self.lexical)
            log.warning(
                "the lexical index at %s was empty: filled it from the store (%d notes)",
                self.lexical.path,
                added,
            )
        return self.lexical

    def bm25(self, query: str, k: int, filters: Filters | None = None) -> list[Hit]:
        return ranked(self._lexical().search(query, k, filters=filters), "bm25")

    def absent_terms(self, text: str) -> list[str]:
        """The words of ``text`` (past stopwords, numbers and words of one or two letters) that
        no note holds in any form (by stem): a question naming what the corpus never mentions."""
        words = [w for w in query_terms(text) if len(w) > 2 and not w.isdigit()]
        return self._lexical().absent(words) if words else []

    def _hybrid(self, query: str, n: int, filters: Filters | None) -> list[Hit]:
        """Dense, then BM25, fused by RRF. (Run side by side, BM25 only slowed the embedding
        down: on 2 cores torch already uses both.)"""
        dense = self._dense(query, n, filters)
        words = self._lexical().search(query, n, filters=filters)
        return rrf([dense, ranked(words, "bm25")], n)

    # -- the whole search -------------------------------------------------------------------

    def search(self, query: str, k: int, options: SearchOptions | None = None) -> list[Hit]:
        opts = options or SearchOptions()
        text = self.clean(query)
        if opts.rerank and self.reranker is None:
            raise InquirerError(
                "rerank was asked for but no rerank model is set",
                hint="set rerank_model to a cross-encoder id or local path",
            )
        pool_size = max(self.candidates, k, self.rerank_depth if opts.rerank else 0)
        if opts.mode == "dense":
            hits = self._dense(text, pool_size, opts.filters)
        elif opts.mode == "bm25":
            hits = ranked(self._lexical().search(text, pool_size, filters=opts.filters), "bm25")
        else:
            hits = self._hybrid(text, pool_size, opts.filters)
        if not hits and self.store.count() == 0:
            raise StoreError(
                f"the index at {self.store.description} holds no notes yet",
                hint="run 'inquirer index' on your notes; if an index run is under way, "
                "search again when it finishes",
            )
        cards: dict[str, Card] = {}
        if opts.rerank and self.reranker is not None:
            head = self._details(hits[: self.rerank_depth], cards)
            hits = self._rerank(text, head, hits[self.rerank_depth :], self.reranker)
        if opts.links:
            lexical = self._lexical()
            cards.update(lexical.cards([h.note_id for h in hits[: self.link_parents]]))
            targets = {t for c in cards.values() for t in c.links} - {h.note_id for h in hits}
            cards.update(lexical.cards(sorted(targets)))  # only new notes need their card
            hits = expand_links(
                hits, cards, parents=self.link_parents, decay=self.link_decay, filters=opts.filters
            )
        if opts.diversity < 1.0:
            pool = hits[: max(3 * k, 20)]
            cards.update(self._lexical().cards([h.note_id for h in pool if h.note_id not in cards]))
            by_chunk = {cards[h.note_id].vector_id: h.note_id for h in pool if h.note_id in cards}
            stored = self.store.vectors(list(by_chunk))
            vectors = {by_chunk[chunk]: vector for chunk, vector in stored.items()}
            hits = mmr(pool, vectors, k=k, lam=opts.diversity)
        return self._details(hits[:k], cards)

    def cards(self, note_ids: Sequence[str]) -> dict[str, Card]:
        """Each note's card (title, summary, links, ...), without reading the note."""
        return self._lexical().cards(note_ids)

    def note_count(self) -> int:
        """How many notes the index holds (a clear StoreError when there is no index)."""
        return self._lexical().count()

    def note_ids(self) -> list[str]:
        """The ids of every note the index holds."""
        return self._lexical().note_ids()

    def read(self, note_id: str) -> Note | None:
        """A note in full: from its file when the file still holds the indexed version, else
        as the store holds it (a machine that shares a Chroma server has no files)."""
        card = self._lexical().cards([note_id]).get(note_id)
        if card is None:
            return None
        key = parse_chunk_id(card.vector_id)
        path = Path(card.hit.path)
        try:
            data = read_bytes(path, max_bytes=MAX_BYTES)  # a FIFO there now blocks nothing
            if key is not None and note_version(str(path), data) == key.version:
                return parse_bytes(str(path), data)
        except (OSError, InquirerError):
            pass
        if key is None:
            return None
        stored = StoredVersion(key.note_id, key.version, key.count, frozenset(range(key.count)))
        fetched = self.store.fetch([stored])
        return fetched[0][0] if fetched else None

    @staticmethod
    def _rerank(query: str, head: list[Hit], tail: list[Hit], reranker: Scorer) -> list[Hit]:
        scores = reranker.score(query, [f"{h.title}. {h.summary}" for h in head])
        order = sorted(range(len(head)), key=lambda i: -scores[i])
        reranked = [
            staged(head[i], Stage("rerank", rank, scores[i]))
            for rank, i in enumerate(order, start=1)
        ]
        # the rest stays below every reranked hit, in its fused order
        low = min(scores, default=0.0)
        return reranked + [replace(h, score=min(h.score, low)) for h in tail]


def llama_retriever(retriever: Retriever, k: int, options: SearchOptions) -> BaseRetriever:
    """The pipeline as a llama-index retriever: one TextNode per note (title and claim as the
    text; id, path, tags and the stages as metadata), scored by the last stage."""
    from llama_index.core.retrievers import BaseRetriever
    from llama_index.core.schema import NodeWithScore, QueryBundle, TextNode

    class NoteRetriever(BaseRetriever):
        def _retrieve(self, query_bundle: QueryBundle) -> list[NodeWithScore]:
            hits = retriever.search(query_bundle.query_str, k, options)
            return [NodeWithScore(node=_node(TextNode, h), score=h.score) for h in hits]

    return NoteRetriever()


def _node(node_type: Any, hit: Hit) -> Any:
    return node_type(
        id_=hit.note_id,
        text=f"{hit.title}\n\n{hit.summary}",
        metadata={
            "note_id": hit.note_id,
            "title": hit.title,
            "path": hit.path,
            "tags": list(hit.tags),
            "stages": [
                {"stage": s.name, "rank": s.rank, "score": s.score, "detail": s.detail}
                for s in hit.stages
            ],
        },
        excluded_embed_metadata_keys=["stages", "path"],
        excluded_llm_metadata_keys=["stages", "path", "tags"],
    )
