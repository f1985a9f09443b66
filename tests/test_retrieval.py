"""Retrieval stages: fusion, link expansion, diversity, rerank, filters and explain. Logic runs on
a real Chroma store and real SQLite FTS5 with the fake embedder; the real model is in
test_search_e2e.py."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest
from pydantic import ValidationError

from conftest import FakeEmbedder, fake_retriever, write_note
from inquirer.config import Settings
from inquirer.errors import InquirerError
from inquirer.lexical import LexicalIndex
from inquirer.retrieval import MAX_QUERY_CHARS, Retriever, SearchOptions, llama_retriever
from inquirer.services import lexical_path
from inquirer.stages import expand_links, mmr, rrf
from inquirer.store import Store
from inquirer.types import Card, Filters, Hit, Stage


def hit(note_id: str, score: float = 0.0, tags: tuple[str, ...] = ()) -> Hit:
    return Hit(
        note_id=note_id, title=note_id, summary="", score=score, path=f"/c/{note_id}.md", tags=tags
    )


def card(
    note_id: str,
    links: Sequence[str] = (),
    *,
    year: int | None = 2024,
    tags: tuple[str, ...] = (),
) -> Card:
    return Card(hit=hit(note_id, tags=tags), links=tuple(links), year=year, vector_id="")


# -- fusion -------------------------------------------------------------------------------------


def test_rrf_keeps_the_stages_of_every_ranking() -> None:
    dense = [
        Hit("a", "", "", 0.9, "", stages=(Stage("dense", 1, 0.9),)),
        Hit("b", "", "", 0.8, "", stages=(Stage("dense", 2, 0.8),)),
    ]
    words = [Hit("b", "B", "b's claim", 7.0, "/b.md", stages=(Stage("bm25", 1, 7.0),))]
    fused = rrf([dense, words], 5)
    assert [h.note_id for h in fused] == ["b", "a"]
    assert [s.name for s in fused[0].stages] == ["dense", "bm25", "fused"]
    assert fused[0].title == "B"  # the ranking that had the details gives them
    assert fused[0].stages[-1].name == "fused" and fused[0].stages[-1].rank == 1
    assert fused[0].stages[-1].score == pytest.approx(1 / 62 + 1 / 61)


# -- link expansion -----------------------------------------------------------------------------


def test_linked_notes_join_below_their_linker() -> None:
    hits = [hit("a", 0.030), hit("b", 0.029), hit("c", 0.010)]
    cards = {"a": card("a", ["c", "new"]), "new": card("new")}
    out = expand_links(hits, cards, parents=2, decay=0.5, filters=None)
    scores = {h.note_id: h.score for h in out}
    assert scores["c"] == pytest.approx(0.010 + 0.015)  # raised by what a lends
    assert scores["new"] == pytest.approx(0.015)  # joined from outside the candidates
    assert [h.note_id for h in out] == ["a", "b", "c", "new"]
    links_stage = next(h for h in out if h.note_id == "new").stages[-1]
    assert links_stage.name == "links" and links_stage.detail == "from a"
    assert out[0].stages == ()  # a was not lent anything


def test_a_linked_note_never_passes_its_linker() -> None:
    hits = [hit("a", 0.03), hit("b", 0.029)]
    out = expand_links(hits, {"a": card("a", ["b"])}, parents=1, decay=1.0, filters=None)
    assert [h.note_id for h in out] == ["a", "b"]
    assert out[1].score < out[0].score


def test_link_expansion_respects_filters_and_missing_notes() -> None:
    hits = [hit("a", 0.03)]
    cards = {
        "a": card("a", ["old", "gone", "kept"]),
        "old": card("old", year=2001),
        "kept": card("kept", year=2023),
    }
    out = expand_links(hits, cards, parents=1, decay=0.5, filters=Filters(year_from=2020))
    assert [h.note_id for h in out] == ["a", "kept"]


# -- diversity ----------------------------------------------------------------------------------


def test_mmr_lets_a_different_angle_past_near_duplicates() -> None:
    hits = [hit("dup1", 1.0), hit("dup2", 0.95), hit("dup3", 0.9), hit("other", 0.6)]
    vectors = {
        "dup1": (1.0, 0.0),
        "dup2": (0.999, 0.0447),
        "dup3": (0.998, 0.0632),
        "other": (0.0, 1.0),
    }
    plain = mmr(hits, vectors, k=3, lam=1.0)
    assert [h.note_id for h in plain] == ["dup1", "dup2", "dup3"]
    diverse = mmr(hits, vectors, k=3, lam=0.5)
    assert [h.note_id for h in diverse][:2] == ["dup1", "other"]
    assert diverse[2].stages[-1].detail.startswith("closest pick dup1")
    assert diverse[1].score == 0.6  # the hit keeps its relevance score


# -- the whole pipeline on a real store ---------------------------------------------------------


@pytest.fixture
def retriever(settings: Settings, tmp_path: Path) -> Retriever:
    root = tmp_path / "corpus"
    write_note(
        root / "safety",
        "reward-hacking",
        title="Why do policies exploit proxy rewards?",
        summary="Optimising a proxy reward past a point lowers the gold reward.",
        tags=["rlhf", "safety"],
        related=["kl-penalty"],
    )
    write_note(
        root / "safety",
        "kl-penalty",
        title="What does the KL penalty do?",
        summary="A KL penalty keeps the policy near its reference model.",
        tags=["rlhf"],
    )
    write_note(
        root / "eval",
        "calibration",
        title="Does RLHF hurt calibration?",
        summary="Post-training raises expected calibration error.",
        tags=["eval"],
    )
    old = root / "eval" / "old-benchmark.md"
    write_note(
        root / "eval",
        "old-benchmark",
        title="Are old benchmarks saturated?",
        summary="Reward models saturate benchmarks from before 2020.",
        tags=["eval"],
    )
    old.write_text(old.read_text().replace("year: 2024", "year: 2018"))
    retriever: Retriever = fake_retriever(settings, root)
    return retriever


def test_hits_carry_every_stage_that_saw_them(retriever: Retriever) -> None:
    hits = retriever.search("proxy reward", 3, SearchOptions(links=True))
    top = hits[0]
    assert top.note_id == "reward-hacking"
    assert [s.name for s in top.stages] == ["dense", "bm25", "fused"]
    assert top.title and top.summary and top.path.endswith("reward-hacking.md")
    linked = next(h for h in hits if h.note_id == "kl-penalty")
    assert linked.stages[-1].name == "links"
    assert "from reward-hacking" in linked.stages[-1].detail


@pytest.mark.parametrize("mode", ["dense", "bm25", "hybrid"])
def test_filters_hold_in_every_mode(retriever: Retriever, tmp_path: Path, mode: str) -> None:
    def ids(filters: Filters) -> set[str]:
        opts = SearchOptions(mode=mode, filters=filters, links=True)  # type: ignore[arg-type]
        return {h.note_id for h in retriever.search("reward rlhf calibration benchmarks", 10, opts)}

    assert ids(Filters(tags=("rlhf",))) == {"reward-hacking", "kl-penalty"}
    assert ids(Filters(tags=("rlhf", "safety"))) == {"reward-hacking"}
    assert ids(Filters(folder=str(tmp_path / "corpus" / "eval"))) == {
        "calibration",
        "old-benchmark",
    }
    assert ids(Filters(year_to=2019)) == {"old-benchmark"}
    assert ids(Filters(year_from=2020, tags=("eval",))) == {"calibration"}
    assert ids(Filters(tags=("no-such-tag",))) == set()


def test_rerank_orders_by_the_scorer_and_says_so(retriever: Retriever) -> None:
    class ByLength:
        model_id = "by-length"

        def __init__(self) -> None:
            self.seen: list[str] = []

        def score(self, query: str, passages: Sequence[str]) -> list[float]:
            self.seen = list(passages)
            return [1.0 / len(p) for p in passages]  # the shortest passage wins

    scorer = ByLength()
    retriever.reranker = scorer
    hits = retriever.search("reward", 4, SearchOptions(rerank=True))
    assert all(". " in p for p in scorer.seen)  # title + summary, the note's claim
    rerank = [h.stages[-1] for h in hits]
    assert [s.name for s in rerank] == ["rerank"] * len(hits)
    assert [s.score for s in rerank] == sorted((s.score for s in rerank), reverse=True)


def test_rerank_without_a_model_is_refused(retriever: Retriever) -> None:
    with pytest.raises(InquirerError, match="no rerank model"):
        retriever.search("reward", 3, SearchOptions(rerank=True))


@pytest.mark.parametrize("query", ["", "   \n\t ", "?!...", "—— … ***"])
def test_queries_without_words_are_refused_clearly(retriever: Retriever, query: str) -> None:
    with pytest.raises(InquirerError) as info:
        retriever.search(query, 3)
    assert info.value.hint


def test_long_and_foreign_queries_still_search(retriever: Retriever) -> None:
    long = "proxy reward " * 1000  # 13,000 characters
    assert len(Retriever.clean(long)) == MAX_QUERY_CHARS
    assert retriever.search(long, 3)[0].note_id == "reward-hacking"
    assert isinstance(retriever.search("Qu'est-ce que la récompense? 報酬とは", 3), list)


def test_the_pipeline_is_a_llama_index_retriever(retriever: Retriever) -> None:
    from llama_index.core.schema import QueryBundle

    nodes = llama_retriever(retriever, 2, SearchOptions()).retrieve(QueryBundle("proxy reward"))
    assert nodes[0].node.node_id == "reward-hacking"
    assert nodes[0].node.metadata["title"] == "Why do policies exploit proxy rewards?"
    assert "Optimising a proxy reward" in nodes[0].node.get_content()
    assert nodes[0].score == pytest.approx(retriever.search("proxy reward", 1)[0].score)


def test_an_older_index_is_refused_with_a_reindex_hint(settings: Settings) -> None:
    store = Store.open(settings)
    from inquirer.store_schema import IndexSpec

    store.create(IndexSpec("fake-bow", 64, settings.chunk_words, schema=1))
    retriever = Retriever(
        store,
        FakeEmbedder(),
        chunk_words=settings.chunk_words,
        lexical=LexicalIndex(lexical_path(settings)),
    )
    with pytest.raises(InquirerError) as info:
        retriever.search("anything", 3, SearchOptions(mode="dense"))
    assert "schema 1 -> 2" in info.value.message
    assert "inquirer index" in (info.value.hint or "")


def test_an_llm_reranks_by_its_order_and_can_only_name_what_it_saw(
    retriever: Retriever,
) -> None:
    from conftest import FakeLLM
    from inquirer.llm_rerank import LLMReranker, ranking_schema

    llm = FakeLLM({"Ranking": [{"ranking": ["p3", "p1"]}]})
    scores = LLMReranker(llm).score("q", ["first", "second", "third"])
    assert scores == [0.5, 0.0, 1.0]
    prompt = llm.history[0][1][-1]["content"]
    assert "p1: first" in prompt and "p3: third" in prompt
    with pytest.raises(ValidationError):
        ranking_schema(2).model_validate({"ranking": ["p1", "p7"]})
    retriever.reranker = LLMReranker(FakeLLM({"Ranking": [{"ranking": ["p2"]}]}))
    hits = retriever.search("reward", 3, SearchOptions(rerank=True, links=False))
    assert hits[0].stages[-1] == Stage("rerank", 1, 1.0)


def test_the_rerank_setting_picks_the_reranker(settings: Settings) -> None:
    from inquirer.embeddings import CrossEncoderScorer
    from inquirer.llm_rerank import LLMReranker
    from inquirer.services import build_reranker

    assert build_reranker(settings) is None
    chosen = build_reranker(settings.model_copy(update={"rerank_model": "llm:ollama/qwen2.5"}))
    assert isinstance(chosen, LLMReranker) and chosen.model_id == "llm:ollama/qwen2.5"
    path = settings.model_copy(update={"rerank_model": "/models/ce"})
    assert isinstance(build_reranker(path), CrossEncoderScorer)
