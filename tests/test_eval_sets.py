"""The committed eval sets are well formed and point at notes that exist."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

import pytest

from conftest import REPO
from inquirer.corpus import load

EVALS = REPO / "evals"


@pytest.fixture(scope="module")
def note_ids() -> set[str]:
    return set(load([REPO / "corpus"]).notes)


def _rows(name: str) -> list[dict[str, Any]]:
    lines = (EVALS / name).read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def test_claims_are_labelled_balanced_and_about_real_notes(note_ids: set[str]) -> None:
    rows = _rows("claims.jsonl")
    assert len(rows) >= 150
    labels = Counter(r["label"] for r in rows)
    assert set(labels) == {"supported", "contradicted", "not_enough_info"}
    assert max(labels.values()) - min(labels.values()) <= len(rows) // 10
    assert {r["note_id"] for r in rows} <= note_ids
    assert len({r["id"] for r in rows}) == len(rows)
    kinds = Counter(r["kind"] for r in rows)
    for hard in ("changed_number", "reversed_direction", "neighbour_note", "merged_notes"):
        assert kinds[hard] >= 10, hard
    assert len({r["claim"] for r in rows}) == len(rows)


def test_retrieval_questions_have_graded_relevant_notes(note_ids: set[str]) -> None:
    rows = _rows("retrieval.jsonl")
    assert len(rows) >= 80
    kinds = Counter(r["kind"] for r in rows)
    assert kinds["multi_hop"] >= 15
    assert kinds["unanswerable"] >= 10
    assert len({r["id"] for r in rows}) == len(rows)
    assert len({r["question"].strip().lower() for r in rows}) == len(rows)
    titles = {n.title.strip().lower() for n in load([REPO / "corpus"]).notes.values()}
    for row in rows:
        relevant = row["relevant"]
        assert set(relevant) <= note_ids, row["id"]
        assert set(relevant.values()) <= {1, 2}, row["id"]
        assert (row["kind"] == "unanswerable") == (not relevant), row["id"]
        if relevant:
            assert 2 in relevant.values(), row["id"]
        assert row["question"].strip().lower() not in titles, row["id"]
