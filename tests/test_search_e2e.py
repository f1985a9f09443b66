"""End to end with the real parts: the CLI, the bundled embedding model, embedded Chroma."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from conftest import write_note
from inquirer.cli import cli

pytestmark = pytest.mark.slow


def _invoke(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


@pytest.fixture
def small_corpus(tmp_path: Path) -> Path:
    root = tmp_path / "notes"
    write_note(
        root,
        "lost-in-the-middle",
        title="Do models use the middle of a long context?",
        summary="Accuracy is highest when the answer is at the start or end of the context.",
        related=["rag-basics", "reward-hacking"],
    )
    write_note(
        root,
        "rag-basics",
        title="What does retrieval add to a language model?",
        summary="Retrieving passages from an index improves knowledge-intensive answers.",
        related=["lost-in-the-middle", "reward-hacking"],
    )
    write_note(
        root,
        "reward-hacking",
        title="Why do policies exploit learned rewards?",
        summary="Optimising a proxy reward past a point lowers the true objective.",
        related=["lost-in-the-middle", "rag-basics"],
    )
    return root


def test_index_then_search_finds_the_right_note(home: Path, small_corpus: Path) -> None:
    result = _invoke("index", str(small_corpus))
    assert result.exit_code == 0
    assert "3 added, 0 updated, 0 removed, 0 unchanged, 0 errors" in result.output

    result = _invoke("search", "where in a long prompt should the key passage go?", "--json")
    assert result.exit_code == 0
    hits = json.loads(result.stdout)
    assert hits[0]["id"] == "lost-in-the-middle"
    assert hits[0]["title"] == "Do models use the middle of a long context?"
    assert hits[0]["summary"].startswith("Accuracy is highest")
    assert [h["score"] for h in hits] == sorted((h["score"] for h in hits), reverse=True)

    result = _invoke("search", "proxy objectives and overoptimisation", "-k", "1")
    assert result.exit_code == 0
    assert "reward-hacking" in result.stdout and "rag-basics" not in result.stdout

    result = _invoke("index", str(small_corpus))
    assert "0 added, 0 updated, 0 removed, 3 unchanged" in result.output


def test_search_without_an_index_says_what_to_do(home: Path) -> None:
    result = CliRunner().invoke(cli, ["search", "anything"])
    assert result.exit_code == 4
    assert "error: no index yet" in result.stderr
    assert "hint: run 'inquirer index' first" in result.stderr


def test_empty_query_is_refused(home: Path, small_corpus: Path) -> None:
    _invoke("index", str(small_corpus))
    result = CliRunner().invoke(cli, ["search", "   "])
    assert result.exit_code == 1
    assert "error: the query is empty" in result.stderr


def test_index_of_another_model_is_detected(
    home: Path, small_corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _invoke("index", str(small_corpus))
    monkeypatch.setenv("INQUIRER_CHUNK_WORDS", "60")
    result = CliRunner().invoke(cli, ["search", "long context"])
    assert result.exit_code == 4
    assert "chunk_words 160 -> 60" in result.stderr
    assert "run 'inquirer index'" in result.stderr
    result = _invoke("index", str(small_corpus))
    assert "index rebuilt: settings changed: chunk_words 160 -> 60" in result.output
    assert CliRunner().invoke(cli, ["search", "long context"]).exit_code == 0


def test_every_mode_finds_the_note(home: Path, small_corpus: Path) -> None:
    _invoke("index", str(small_corpus))
    for mode in ("dense", "bm25", "hybrid"):
        result = _invoke("search", "proxy reward optimising", "--mode", mode, "--json", "-k", "1")
        assert result.exit_code == 0, mode
        assert json.loads(result.stdout)[0]["id"] == "reward-hacking", mode


def test_a_missing_lexical_index_is_filled_from_the_store_once(
    home: Path, small_corpus: Path, caplog: pytest.LogCaptureFixture
) -> None:
    _invoke("index", str(small_corpus))
    for path in (home / "index").glob("lexical-*.sqlite*"):
        path.unlink()
    result = _invoke("search", "proxy reward", "--mode", "bm25", "--json")
    assert "was empty: filled it from the store (3 notes)" in caplog.text
    assert json.loads(result.stdout)[0]["id"] == "reward-hacking"
    caplog.clear()
    _invoke("search", "proxy reward", "--mode", "bm25")
    assert "filled it" not in caplog.text  # persisted: not refilled at the next start
    assert "3 unchanged" in _invoke("index", str(small_corpus)).output


def test_explain_shows_each_stage_for_each_hit(home: Path, small_corpus: Path) -> None:
    _invoke("index", str(small_corpus))
    result = _invoke("search", "proxy reward optimising", "--json", "--explain", "-k", "3")
    hits = json.loads(result.stdout)
    assert hits[0]["id"] == "reward-hacking"
    assert [s["stage"] for s in hits[0]["stages"]][:3] == ["dense", "bm25", "fused"]
    assert all(s["rank"] == 1 for s in hits[0]["stages"][:3])
    text = _invoke("search", "proxy reward optimising", "--explain", "-k", "3").stdout
    assert "dense #1" in text and "bm25 #1" in text and "fused #1" in text


def test_filters_from_the_command_line(home: Path, small_corpus: Path) -> None:
    write_note(
        small_corpus / "older",
        "old-rag",
        title="Did early retrieval help?",
        summary="Early retrieval-augmented models beat closed-book ones.",
        tags=["retrieval"],
    )
    old = small_corpus / "older" / "old-rag.md"
    old.write_text(old.read_text().replace("year: 2024", "year: 2020"))
    _invoke("index", str(small_corpus))

    def ids(*args: str) -> set[str]:
        result = _invoke("search", "retrieval context reward", "--json", "-k", "10", *args)
        assert result.exit_code == 0, result.stderr
        return {h["id"] for h in json.loads(result.stdout)}

    assert ids("--tag", "retrieval") == {"old-rag"}
    assert ids("--year", "2021-") == {"lost-in-the-middle", "rag-basics", "reward-hacking"}
    assert ids("--year", "-2020") == {"old-rag"}
    assert ids("--folder", str(small_corpus / "older")) == {"old-rag"}
    bad = CliRunner().invoke(cli, ["search", "retrieval", "--year", "twenty"])
    assert bad.exit_code == 1 and "not a year or a range" in bad.stderr


@pytest.mark.parametrize(
    "query",
    [
        "context " * 1250,  # 10,000 characters
        "¿Los modelos usan el medio de un contexto largo?",
        "長い文脈の中央の情報をモデルは使えるか",
    ],
)
def test_long_and_foreign_queries_get_results(home: Path, small_corpus: Path, query: str) -> None:
    _invoke("index", str(small_corpus))
    result = _invoke("search", query, "--json")
    assert result.exit_code == 0
    assert len(json.loads(result.stdout)) == 3


def test_punctuation_only_query_gets_a_clear_message(home: Path, small_corpus: Path) -> None:
    _invoke("index", str(small_corpus))
    result = CliRunner().invoke(cli, ["search", "?!..."])
    assert result.exit_code == 1
    assert "has no words to search for" in result.stderr
    assert "Traceback" not in result.output


def test_rerank_with_a_cross_encoder_from_a_local_path(
    home: Path, small_corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # No trained cross-encoder installs from PyPI; this one is built from the bundled MiniLM with
    # an untrained head, which exercises loading from a path and scoring, not rerank quality.
    from sentence_transformers import CrossEncoder

    from inquirer.embeddings import resolve_model_path

    model_dir = tmp_path / "cross-encoder"
    CrossEncoder(resolve_model_path("all-MiniLM-L6-v2"), num_labels=1).save(str(model_dir))
    _invoke("index", str(small_corpus))
    monkeypatch.setenv("INQUIRER_RERANK_MODEL", str(model_dir))
    result = _invoke("search", "proxy reward", "--json", "--explain")
    assert result.exit_code == 0, result.stderr
    stages = [[s["stage"] for s in h["stages"]] for h in json.loads(result.stdout)]
    assert all("rerank" in names for names in stages)
    missing = CliRunner().invoke(
        cli, ["search", "proxy reward"], env={"INQUIRER_RERANK_MODEL": str(tmp_path / "none")}
    )
    assert missing.exit_code == 5 and "cannot load rerank model" in missing.stderr
