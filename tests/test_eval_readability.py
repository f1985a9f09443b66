"""The eval's reading figures: the reading pass over a line's JSON form, and its rates."""

from __future__ import annotations

from typing import Any

from inquirer.evals import readability
from inquirer.types import Note

NOTE = Note(
    "n1",
    "Does instruction tuning teach the task?",
    "Mostly the format. Models tuned on empty or wrong instructions scored about as well as "
    "models tuned on the correct ones, so what transfers is the output space.",
    "Kung and Peng tuned T5 on stripped-down task definitions.",
    "n1.md",
    "0",
)


def line_json(sentences: list[str], insight: str, next_lines: list[str]) -> dict[str, Any]:
    return {
        "question": "Does instruction tuning teach a model the task?",
        "framing": "This explores what tuning transfers.",
        "body": [{"sentences": [{"text": t, "cites": ["n1"]}]} for t in sentences],
        "insight": f"The thing you didn't know you wanted to know: {insight}",
        "sources": [{"id": "n1", "title": NOTE.title, "summary": NOTE.summary}],
        "next_lines": next_lines,
        "read": [{"id": "n1"}],
    }


def test_a_line_that_copies_and_repeats_is_read_as_such() -> None:
    bad = line_json(
        [
            "Mostly the format. Models tuned on empty or wrong instructions scored about as well.",
            "Models tuned on empty or wrong instructions scored about as well as models tuned "
            "on the correct ones.",
        ],
        "Models tuned on empty or wrong instructions scored about as well as models tuned on "
        "the correct ones.",
        ["What is the impact of instruction tuning?", NOTE.title],
    )
    row = readability.read_json(bad, {"n1": NOTE}.get)
    kinds = [f["kind"] for f in row["findings"]]
    assert kinds.count("fragment") == 1 and "insight_copy" in kinds
    assert "next_generic" in kinds and "next_title" in kinds
    assert row["sentences"] == 2 and row["paragraphs"] == 2 and row["next_lines"] == 2
    assert row["copied"] is not None and row["copied"] > 0.5

    good = line_json(
        ["Stripped-down task definitions served T5 nearly as well as full ones."],
        "what a tuned model gains may lie in its answers' shape more than its grasp of tasks.",
        ["Which tasks still need the full instruction to be learned?"],
    )
    clean = readability.read_json(good, {"n1": NOTE}.get)
    assert clean["findings"] == [] and clean["copied"] == 0.0

    figures = readability.summarize([row, clean])
    assert figures["reading_clean"] == 0.5
    assert figures["fragments"] == 1 / 3  # one fragment in three body sentences
    assert figures["insight_copy"] == 0.5
    assert figures["next_bad"] == 2 / 3
    assert figures["multi_note_paragraphs"] == 0.0
    assert figures["few_next"] == 1.0 and figures["no_insight"] == 0.0
    bare = readability.read_json(good | {"insight": ""}, {"n1": NOTE}.get)
    assert bare["findings"] == [] and not bare["insight"]  # no insight is no copy, but counted
    assert readability.summarize([clean, bare])["no_insight"] == 0.5
    section = "\n".join(readability.section({"agent": {"summary": figures, "lines": []}}))
    assert "| lines with no reading failure | 0.500 |" in section


def test_no_lines_give_no_figures() -> None:
    assert set(readability.summarize([]).values()) == {None}
