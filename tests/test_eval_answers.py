"""Answer metrics on lines in their JSON form: source recall and precision, the verdict's
figures, format compliance, next-line checks, abstention; and the naive-RAG baseline they are
set beside."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from conftest import FakeLLM, fake_retriever, write_note
from inquirer.agent import Budget
from inquirer.config import Settings
from inquirer.evals.answers import format_problems, score, summarize
from inquirer.evals.baseline import NaiveRAG, answer_schema
from inquirer.evals.compare import compare, regressions
from inquirer.evals.funnel import Funnel, found_ids, funnel, pooled
from inquirer.framing import FRAMING_LEAD
from inquirer.insight import INSIGHT_LEAD
from inquirer.pipeline import Pipeline
from inquirer.render import to_json
from inquirer.retrieval import Retriever


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
            "sentences": [
                {"label": x} for x in ("supported", "unsupported", "partial", "supported")
            ],
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
    assert got["abstention_accuracy"] == 1.0 and got["answer_rate"] == 1.0
    assert got["format_ok"] == 1.0
    assert got["median_seconds"] == 20.0


# -- the funnel of the gold notes -------------------------------------------------------------


def test_the_funnel_counts_gold_notes_found_read_kept_and_cited() -> None:
    traced = line(
        read=[
            {"id": "a", "relevant": True},
            {"id": "x", "relevant": True},
            {"id": "d", "relevant": False},
            {"id": "y", "relevant": False},
        ],
        trace=[
            {"kind": "plan", "detail": "a query; another -> kind of query"},
            {"kind": "search", "detail": "Does A -> B hold? -> a, d, x, f"},
            {"kind": "follow", "detail": "e, y", "note_id": "a"},
            {"kind": "judge", "detail": "no", "note_id": "d"},
        ],
    )
    assert found_ids(traced) == {"a", "d", "x", "f", "e", "y"}
    got = score("q1", "single", {"a": 2, "b": 1, "d": 2, "e": 1, "f": 1}, traced).funnel
    # gold a, b, d, e, f: found a, d, e, f; read a, d; kept a; cited a, b (b unread: a fake line)
    assert got == Funnel(gold=5, found=4, read=2, kept=1, cited=2, other_read=2, other_kept=1)
    assert score("u1", "unanswerable", {}, traced).funnel is None
    # the baseline's trace names no notes: what it found is what it read
    baseline = line(
        read=[{"id": "a"}, {"id": "z"}], trace=[{"kind": "search", "detail": "Q -> 5 notes"}]
    )
    assert found_ids(baseline) == {"a", "z"}
    assert funnel(baseline, {"a", "b"}) == Funnel(2, 1, 1, 1, 2, 1, 1)


def test_the_funnel_is_pooled_over_gold_notes() -> None:
    got = pooled([Funnel(5, 3, 2, 1, 2, 2, 1), Funnel(1, 1, 1, 1, 1, 0, 0)])
    assert got["gold"] == 6 and got["found"] == pytest.approx(4 / 6)
    assert got["read"] == pytest.approx(3 / 6) and got["cited"] == pytest.approx(3 / 6)
    assert got["kept_of_gold_read"] == pytest.approx(2 / 3)
    assert got["kept_of_other_read"] == pytest.approx(1 / 2)
    assert pooled([])["found"] is None and pooled([])["kept_of_other_read"] is None


def test_the_funnel_reads_what_the_agent_found_from_its_trace(
    settings: Settings, tmp_path: Path
) -> None:
    root = tmp_path / "corpus"
    notes = {
        "rlhf": "Does RLHF hurt calibration?",
        "verbal": "Is stated confidence calibrated after RLHF?",
        "scaling": "Does temperature scaling fix calibration?",
        "dough": "How long should bread dough rise?",
    }
    for nid, title in notes.items():
        write_note(root, nid, title=title, summary=f"A claim on: {title}")
    retriever: Retriever = fake_retriever(settings, root)
    question = "Does RLHF hurt calibration?"
    # one read: the notes found but never read are known only from the trace
    made = Pipeline(
        FakeLLM(), retriever, budget=Budget(judge="model", min_similarity=0.0, reads=1)
    ).ask(question)
    data = to_json(made)
    first = {h.note_id for h in retriever.search(question, Budget().hits_per_search)}
    assert len(data["read"]) == 1 and len(first) > 1
    # every hit of the question's own search and every note read; nothing parsed from a query
    assert found_ids(data) >= first | {r["id"] for r in data["read"]}
    assert found_ids(data) <= set(notes)


# -- the naive-RAG baseline -----------------------------------------------------------------------


def test_the_baseline_cites_numbered_sources_and_is_scored_like_any_line(
    settings: Settings, tmp_path: Path
) -> None:
    root = tmp_path / "corpus"
    write_note(
        root,
        "rlhf-calibration",
        title="Does RLHF hurt calibration?",
        summary="RLHF raises calibration error.",
    )
    write_note(
        root,
        "verbal-confidence",
        title="Is stated confidence calibrated?",
        summary="Stated confidence is better calibrated after RLHF.",
    )
    write_note(
        root,
        "sourdough",
        title="How long should dough rise?",
        summary="Until doubled.",
        tags=["baking"],
    )
    retriever: Retriever = fake_retriever(settings, root)
    reply = {
        "sentences": [
            {"text": "RLHF raises calibration error.", "sources": [1]},
            {"text": "Stated confidence fares better, which the", "sources": [2, 1]},
        ]
    }
    llm = FakeLLM({"CitedAnswer": [reply]})
    made = NaiveRAG(llm, retriever, k=2).ask("Does RLHF hurt calibration?")
    (prompt,) = [m for name, m in llm.history if name == "CitedAnswer"]
    assert "Source 1:\nDoes RLHF hurt calibration?" in prompt[1]["content"]
    retrieved = [r.note.id for r in made.evidence.read]
    assert retrieved[0] == "rlhf-calibration" and len(retrieved) == 2
    (paragraph,) = made.body
    assert paragraph.sentences[0].cites == (retrieved[0],)
    assert len(paragraph.sentences) == 1  # the cut-off sentence is dropped, not shown
    assert [s.note_id for s in made.sources] == [retrieved[0]]
    data = to_json(made)
    problems = format_problems(data)
    assert any(p.startswith("framing") for p in problems)
    assert "1 body paragraphs, not 3-5" in problems and "0 next lines, not 3-5" in problems
    got = score("q1", "single", {"rlhf-calibration": 2, "verbal-confidence": 2}, data)
    assert got.source_recall == 0.5 and got.source_precision == 1.0 and not got.format_ok
    with pytest.raises(ValidationError):  # a number no source has cannot be cited
        answer_schema(2).model_validate({"sentences": [{"text": "x.", "sources": [3]}]})


# -- comparing two runs -----------------------------------------------------------------------


def test_a_comparison_flags_drops_beyond_the_tolerance_and_costlier_runs() -> None:
    before = {
        "lines": 3.0,
        "citation_recall": 0.80,
        "format_ok": 1.0,
        "supported": 0.70,
        "median_seconds": 100.0,
        "mean_tokens": 1000.0,
        "next_novel": None,
    }
    after = {
        "lines": 5.0,
        "citation_recall": 0.79,
        "format_ok": 0.90,
        "supported": 0.80,
        "median_seconds": 125.0,
        "mean_tokens": 950.0,
        "next_novel": 0.5,
    }
    changes = {c.metric: c for c in compare(before, after)}
    assert "lines" not in changes
    assert not changes["citation_recall"].regressed  # within 0.02
    assert changes["format_ok"].regressed and changes["supported"].improved
    assert changes["median_seconds"].regressed and not changes["mean_tokens"].regressed
    assert changes["next_novel"].delta is None and not changes["next_novel"].regressed
    assert [c.metric for c in regressions(list(changes.values()))] == [
        "format_ok",
        "median_seconds",
    ]
