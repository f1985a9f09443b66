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


def test_an_index_without_its_lexical_part_says_what_to_do(home: Path, small_corpus: Path) -> None:
    _invoke("index", str(small_corpus))
    for path in (home / "index").glob("lexical-*.sqlite*"):
        path.unlink()
    result = CliRunner().invoke(cli, ["search", "long context", "--mode", "bm25"])
    assert result.exit_code == 4
    assert "no lexical (BM25) part yet" in result.stderr
    result = _invoke("index", str(small_corpus))
    assert "3 unchanged" in result.output
    assert _invoke("search", "long context", "--mode", "bm25").exit_code == 0
