"""The history of lines: kept whole in SQLite, newest first, filtered by words."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

from inquirer.errors import StoreError
from inquirer.history import History


def line(n: int, question: str, status: str = "passed") -> dict[str, Any]:
    return {
        "id": f"id-{n}",
        "question": question,
        "created": f"2026-11-2{n}T10:00:00+00:00",
        "model": "local/qwen2.5-coder-1.5b",
        "verification": {"status": status},
        "body": [{"sentences": [{"text": "A claim.", "cites": ["a"]}]}],
    }


def test_lines_come_back_whole_newest_first_after_a_reopen(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite"
    history = History(path)
    history.add(line(1, "Does RLHF hurt calibration?"))
    history.add(line(3, "Is 50% of the gain from data?", status="failed"))
    history.add(line(2, "Does temperature scaling fix it?"))
    history.close()
    again = History(path)  # a new process sees what the last one wrote
    assert [e.id for e in again.entries()] == ["id-3", "id-2", "id-1"]
    assert again.entries()[0].status == "failed"
    assert again.get("id-1") == line(1, "Does RLHF hurt calibration?")
    assert again.get("missing") is None and len(again) == 3


def test_the_same_line_again_replaces_its_copy(tmp_path: Path) -> None:
    history = History(tmp_path / "h.sqlite")
    history.add(line(1, "Does RLHF hurt calibration?"))
    history.add(line(1, "Does RLHF hurt calibration?", status="failed"))
    assert [(e.id, e.status) for e in history.entries()] == [("id-1", "failed")]


def test_filtering_by_words_takes_them_literally(tmp_path: Path) -> None:
    history = History(tmp_path / "h.sqlite")
    history.add(line(1, "Does RLHF hurt calibration?"))
    history.add(line(2, "Is 50% of the gain from data?"))
    history.add(line(3, "Is 50 percent of it from rlhf_data?"))
    assert [e.id for e in history.entries("rlhf calibration")] == ["id-1"]
    assert [e.id for e in history.entries("50%")] == ["id-2"]  # % is not a wildcard
    assert [e.id for e in history.entries("rlhf_")] == ["id-3"]  # nor is _
    assert history.entries("nothing like this") == []


def test_a_history_from_another_version_is_refused_with_a_fix(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite"
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA user_version = 99")
    with pytest.raises(StoreError, match="another version") as caught:
        History(path)
    assert caught.value.hint and "move the file aside" in caught.value.hint
