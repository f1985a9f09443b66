"""The lexical (BM25) index and hybrid fusion, against real SQLite FTS5 and a real Chroma store."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import FakeEmbedder, write_note
from inquirer.config import Settings
from inquirer.indexer import Indexer
from inquirer.lexical import LexicalIndex, query_terms
from inquirer.retrieval import MODES, Retriever, SearchOptions
from inquirer.services import lexical_path
from inquirer.stages import rrf
from inquirer.store import Store
from inquirer.types import Hit


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    root = tmp_path / "corpus"
    write_note(
        root,
        "lost-middle",
        title="Do models use the middle of long contexts?",
        summary="Accuracy is U-shaped in the answer's position.",
        related=["a", "b"],
    )
    write_note(
        root,
        "reward-hacking",
        title="Why do policies exploit proxy rewards?",
        summary="Optimising a proxy past a point lowers the gold reward.",
        body="Overoptimization follows a scaling law in the KL budget. " * 20,
    )
    write_note(
        root,
        "calibration",
        title="Does RLHF hurt calibration?",
        summary="Post-training raises expected calibration error.",
        tags=["calibration"],
    )
    return root


def _parts(settings: Settings) -> tuple[Indexer, LexicalIndex]:
    lexical = LexicalIndex(lexical_path(settings))
    indexer = Indexer(
        Store.open(settings),
        FakeEmbedder(),
        chunk_words=160,
        write_chunks=256,
        max_bytes=1_000_000,
        lexical=lexical,
    )
    return indexer, lexical


def test_query_terms_drop_stopwords_and_punctuation() -> None:
    assert query_terms("What is the KL budget, and why does it matter?!") == [
        "kl",
        "budget",
        "matter",
    ]
    assert query_terms("?!... ---") == []
    assert query_terms("Überoptimierung der Belohnung") == ["überoptimierung", "der", "belohnung"]


def test_bm25_ranks_by_terms_with_title_weighted(settings: Settings, corpus: Path) -> None:
    indexer, lexical = _parts(settings)
    indexer.run([corpus])
    hits = lexical.search("overoptimization KL budget", 5)
    assert [h.note_id for h in hits] == ["reward-hacking"]
    assert hits[0].title == "Why do policies exploit proxy rewards?"
    hits = lexical.search("calibration", 5)
    assert hits[0].note_id == "calibration"  # title, summary and tag all match
    assert lexical.search("the of and", 5) == []


def test_lexical_index_follows_updates_and_deletes(settings: Settings, corpus: Path) -> None:
    indexer, lexical = _parts(settings)
    indexer.run([corpus])
    write_note(
        corpus,
        "calibration",
        title="Does RLHF hurt calibration?",
        summary="Temperature scaling restores it.",
    )
    (corpus / "lost-middle.md").unlink()
    indexer.run([corpus])
    assert lexical.search("temperature", 5)[0].note_id == "calibration"
    summaries = [h.summary for h in lexical.search("expected calibration error", 5)]
    assert summaries == ["Temperature scaling restores it."]  # the old version is gone
    assert lexical.search("middle contexts", 5) == []
    assert len(lexical.versions()) == 2


def test_words_no_note_holds_in_any_form_are_absent(settings: Settings, corpus: Path) -> None:
    indexer, lexical = _parts(settings)
    indexer.run([corpus])
    words = ["calibrated", "rewarding", "whisper", "watermarks"]
    assert lexical.absent(words) == ["whisper", "watermarks"]  # the others by their stem
    assert lexical.absent([]) == []


def test_a_missing_lexical_index_is_rebuilt_from_the_store(
    settings: Settings, corpus: Path
) -> None:
    indexer, lexical = _parts(settings)
    indexer.run([corpus])
    lexical.clear()  # as after an upgrade, or a crash between the two writes
    again = FakeEmbedder()
    report = Indexer(
        Store.open(settings),
        again,
        chunk_words=160,
        write_chunks=256,
        max_bytes=1_000_000,
        lexical=lexical,
    ).run([corpus])
    assert report.unchanged == 3 and again.calls == []  # nothing re-embedded
    assert lexical.search("overoptimization", 5)[0].note_id == "reward-hacking"


def test_rrf_rewards_agreement() -> None:
    def hit(note_id: str) -> Hit:
        return Hit(note_id=note_id, title=note_id, summary="", score=0.0, path="")

    fused = rrf([[hit("a"), hit("b"), hit("c")], [hit("b"), hit("d"), hit("c")]], 3)
    assert [h.note_id for h in fused] == ["b", "c", "a"]
    assert fused[0].score == pytest.approx(1 / 61 + 1 / 62)
    assert fused[1].score == pytest.approx(2 / 63)


def test_hybrid_search_combines_both_rankings(settings: Settings, corpus: Path) -> None:
    indexer, lexical = _parts(settings)
    indexer.run([corpus])
    retriever = Retriever(indexer.store, indexer.embedder, chunk_words=160, lexical=lexical)
    for mode in MODES:
        hits = retriever.search("proxy reward overoptimization", 2, SearchOptions(mode=mode))
        assert hits[0].note_id == "reward-hacking", mode
        assert hits[0].title == "Why do policies exploit proxy rewards?", mode


def test_words_in_most_notes_are_left_out_of_the_match(tmp_path: Path) -> None:
    from inquirer.lexical import LexicalIndex as Index
    from inquirer.notes import parse_bytes

    lexical = Index(tmp_path / "lexical.sqlite")
    for i, extra in enumerate(["calibration error", "reward hacking", "long context", "probes"]):
        path = write_note(tmp_path / "notes", f"n{i}", summary=f"A model result on {extra}.")
        note = parse_bytes(str(path), path.read_bytes())
        lexical.add([(note, f"v{i}", 2)])
    # "model" is in every note: matching it would score all four for nothing
    assert lexical._selective(["model", "calibration"]) == ["calibration"]
    assert [h.note_id for h in lexical.search("model calibration", 5)] == ["n0"]
    # a query of words every note has cannot tell notes apart: BM25 says nothing
    assert lexical.search("model", 5) == []
    assert lexical.search("zeppelin", 5) == []
    card = lexical.cards(["n1"])["n1"]
    assert card.vector_id == "n1@v1#0/2" and card.hit.summary == "A model result on reward hacking."
    lexical.delete(["v1"])
    assert lexical.cards(["n1"]) == {} and lexical.count() == 3
    assert [h.note_id for h in lexical.search("reward hacking", 5)] == []
