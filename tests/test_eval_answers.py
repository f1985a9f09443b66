"""Answer metrics on lines in their JSON form: source recall and precision, the verdict's
figures, format compliance, next-line checks, abstention."""

from __future__ import annotations

from typing import Any

import pytest

from inquirer.composer import FRAMING_LEAD, INSIGHT_LEAD
from inquirer.evals.answers import format_problems, score, summarize


def line(**changes: Any) -> dict[str, Any]:
    body = [
        {"sentences": [{"text": "A holds.", "cites": ["a"]}, {"text": "B too.", "cites": ["b"]}]},
        {"sentences": [{"text": "C limits A.", "cites": ["c", "a"]}]},
        {"sentences": [{"text": "Together they agree.", "cites": ["b"]}]},
    ]
    data: dict[str, Any] = {
        "question": "Does A hold?",
        "answered": True,
        "framing": f"{FRAMING_LEAD} whether A holds.",
        "body": body,
        "insight": f"{INSIGHT_LEAD} A and B are one effect.",
        "sources": [{"id": i, "title": i, "summary": i} for i in ("a", "b", "c")],
        "next_lines": ["Q1?", "Q2?", "Q3?"],
        "verification": {
            "status": "failed",
            "citation_recall": 0.75,
            "citation_precision": 0.8,
            "sentences": [{"label": x} for x in ("supported", "supported", "partial", "supported")],
            "next_lines": [
                {"answerable": True, "novel": True},
                {"answerable": False, "novel": True},
                {"answerable": True, "novel": False},
                {"answerable": True, "novel": True},
            ],
        },
        "timings": {"total_s": 12.5},
        "usage": {"prompt_tokens": 100, "completion_tokens": 40},
    }
    data.update(changes)
    return data


def test_a_line_is_scored_against_the_gold_notes() -> None:
    got = score("q1", "single", {"a": 2, "b": 1, "d": 2, "e": 1}, line())
    assert got.source_recall == pytest.approx(2 / 4) and got.source_precision == pytest.approx(
        2 / 3
    )
    assert got.citation_recall == 0.75 and got.citation_precision == 0.8
    assert got.supported == pytest.approx(3 / 4)
    assert got.next_answerable == pytest.approx(3 / 4) and got.next_novel == pytest.approx(3 / 4)
    assert got.format_ok and got.abstained_right
    assert got.seconds == 12.5 and got.tokens == 140


def test_unverified_lines_have_no_verdict_figures() -> None:
    got = score("q1", "single", {"a": 2}, line(verification={"status": "not run"}))
    assert got.citation_recall is None and got.supported is None and got.next_novel is None
    assert got.source_recall == 1.0


def test_abstention_is_right_only_when_the_line_matches_the_gold() -> None:
    declined = line(answered=False)
    assert score("u1", "unanswerable", {}, declined).abstained_right
    assert not score("u1", "unanswerable", {}, line()).abstained_right
    assert not score("q1", "single", {"a": 2}, declined).abstained_right
    assert score("u1", "unanswerable", {}, line()).source_recall is None


def test_every_departure_from_the_format_is_named() -> None:
    broken = line(
        framing="It explores A.",
        body=[{"sentences": [{"text": "A holds.", "cites": []}]}],
        insight=INSIGHT_LEAD,
        sources=[{"id": "b", "title": "b", "summary": "b"}],
        next_lines=["Q?"],
    )
    problems = format_problems(broken)
    assert problems == [
        f"framing does not open with '{FRAMING_LEAD}'",
        "1 body paragraphs, not 3-5",
        "1 body sentences without a citation",
        f"insight does not begin '{INSIGHT_LEAD}' and go on",
        "sources are not the cited notes in order of first citation",
        "1 next lines, not 3-5",
    ]
    assert format_problems(line(sources=[])) == ["no sources"]
    assert format_problems(line()) == []


def test_a_summary_averages_each_metric_where_it_applies() -> None:
    scores = [
        score("q1", "single", {"a": 2, "d": 1}, line()),
        score("q2", "single", {"a": 2, "b": 2, "c": 1}, line(timings={"total_s": 20.0})),
        score("u1", "unanswerable", {}, line(answered=False, timings={"total_s": 30.0})),
    ]
    got = summarize(scores)
    assert got["lines"] == 3
    assert got["source_recall"] == pytest.approx((0.5 + 1.0) / 2)  # answerable ones only
    assert got["abstention_accuracy"] == 1.0 and got["format_ok"] == 1.0
    assert got["median_seconds"] == 20.0
