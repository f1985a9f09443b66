"""The eval report from results alone: the edge cases a real run reaches (nothing made, every
line failed, no baseline, claims of one class, an older results.json) still give a whole,
well-formed report, and a comparison on other questions calls nothing a regression."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from inquirer.errors import InquirerError
from inquirer.evals.answers import score
from inquirer.evals.claims import Claim
from inquirer.evals.plots import draw
from inquirer.evals.report import (
    PLOTS,
    build_results,
    comparison,
    flatten,
    markdown,
    read_results,
)
from inquirer.evals.retrieval import Question
from inquirer.evals.suite import Plan, Scored, Suite, SuiteConfig, make_plan
from inquirer.evals.verifier_scores import verifier_results

QUESTIONS = [
    Question("q1", "Does A hold?", "single", {"a": 2}),
    Question("u1", "What is the weather?", "unanswerable", {}),
]
CLAIMS = [Claim("c1", "A holds.", "a", "supported", "exact", "test")]


def plan(baseline: bool = True) -> Plan:
    suite = Suite(Path("/x/evals/suite.toml"), SuiteConfig.model_validate({}))
    return Plan(suite, QUESTIONS, CLAIMS, baseline, "local/m", "local/m", available=2)


def a_line(answered: bool = True) -> dict[str, Any]:
    return {
        "question": "Does A hold?",
        "answered": answered,
        "body": [{"sentences": [{"text": "A holds.", "cites": ["a"]}]}],
        "sources": [{"id": "a"}],
        "verification": {"status": "passed", "citation_recall": 1.0, "sentences": []},
        "timings": {"total_s": 3.0},
    }


def check_tables(text: str) -> None:
    rows = [line for line in text.splitlines() if line.startswith("|")]
    blocks: list[list[str]] = []
    for line in text.splitlines():
        if line.startswith("|"):
            if not blocks or not blocks[-1]:
                blocks.append([])
            blocks[-1].append(line)
        elif blocks and blocks[-1]:
            blocks.append([])
    assert rows
    for block in (b for b in blocks if b):
        assert len({row.count("|") for row in block}) == 1, block
        assert re.fullmatch(r"(\| --- )+\|", block[1]), block[1]


def results(systems: dict[str, Scored], claims: dict[str, Any], baseline: bool = True) -> Any:
    return build_results(
        plan(baseline),
        retrieval=[],
        systems=systems,
        claims=claims,
        started="2026-12-01T10:00:00+00:00",
        seconds=5.0,
    )


def test_a_run_with_every_line_failed_or_missing_is_a_whole_partial_report(
    tmp_path: Path,
) -> None:
    got = results(
        {
            "agent": Scored([], {"q1": "the model timed out"}, ["u1"]),
            "baseline": Scored([], {}, ["q1", "u1"]),
        },
        {},
    )
    assert not got["config"]["complete"]
    assert got["verifier"]["balanced_accuracy"] is None  # no claims judged
    text = markdown(got, draw(got["systems"], tmp_path, PLOTS))
    check_tables(text)
    assert "**A partial run" in text and "- agent: 0 of 2 lines made, 1 failed, 1 not made" in text
    assert "`q1`: the model timed out" in text and "weakest lines" not in text
    assert "Not scored: the questions name no relevant notes." in text
    assert "## Where the gold notes are lost\n\nNo answerable question has a line yet." in text
    assert all((tmp_path / name).stat().st_size > 1000 for name in PLOTS.values())


def test_a_run_without_baseline_says_so_and_a_complete_one_has_no_banner(tmp_path: Path) -> None:
    scored = Scored(
        [
            score("q1", "single", {"a": 2}, a_line()),
            score("u1", "unanswerable", {}, a_line(answered=True)),
        ],
        {},
        [],
    )
    got = results({"agent": scored}, {"c1": {"label": "supported", "seconds": 1.0}}, False)
    assert got["config"]["complete"]
    assert got["verifier"]["balanced_accuracy"] is None  # one class of claim only
    text = markdown(got, draw(got["systems"], tmp_path, PLOTS))
    check_tables(text)
    assert "A partial run" not in text and "(no baseline in this run)" in text
    assert "| metric | agent |" in text
    weakest = text.split("weakest lines", 1)[1]
    assert weakest.index("`u1`") < weakest.index("`q1`")
    assert "answered a question the corpus cannot answer" in weakest
    # q1's one gold note was cited though this fake line read nothing; u1 has no gold notes
    assert got["systems"]["agent"]["funnel"]["gold"] == 1
    assert "| agent | 1 | 0.000 | 0.000 | 0.000 | 1.000 | — | — |" in text
    assert flatten(got)["agent.gold_cited"] == 1.0 and "agent.gold_gold" not in flatten(got)


def test_a_comparison_on_other_questions_flags_nothing_and_old_results_still_compare() -> None:
    scored = Scored([score("q1", "single", {"a": 2}, a_line())], {}, [])
    now = results({"agent": scored}, {})
    worse = json.loads(json.dumps(now))
    worse["systems"]["agent"]["summary"]["source_recall"] = 0.2
    same_questions = comparison(now, worse, "before")
    assert same_questions["regressions"] == ["agent.source_recall"]
    worse["config"]["questions"] = ["q1"]
    other = comparison(now, worse, "before")
    assert other["differs_in"] == ["questions"] and other["regressions"] == []
    assert "no change is called a regression" in "\n".join(
        markdown(worse | {"comparison": other}, []).splitlines()
    )
    old = {"config": {"finished": "x"}, "systems": {"agent": {}}, "retrieval": [{"mode": "bm25"}]}
    assert flatten(old)["retrieval.bm25.median_ms"] is None
    assert comparison(old, now, "old")["regressions"] == []


def test_the_verifier_figures_need_both_classes_of_claim() -> None:
    claims = [*CLAIMS, Claim("c2", "A fails.", "a", "contradicted", "reversed", "test")]
    rows = {"c1": {"label": "partial"}, "c2": {"label": "unsupported"}}
    got = verifier_results(claims, rows)
    assert got["balanced_accuracy"] == 1.0 and got["confusion"]["tp"] == 1  # partial passes


def test_bad_eval_sets_and_results_files_get_clear_errors(tmp_path: Path) -> None:
    (tmp_path / "suite.toml").write_text("")
    suite = Suite(tmp_path / "suite.toml", SuiteConfig.model_validate({}))
    with pytest.raises(InquirerError, match=r"names questions = 'retrieval\.jsonl'"):
        make_plan(suite, limit=None, baseline=None, model="m", judge="j")
    row = {"id": "q1", "question": "Q?", "kind": "single", "relevant": {}}
    (tmp_path / "retrieval.jsonl").write_text((json.dumps(row) + "\n") * 2)
    (tmp_path / "claims.jsonl").write_text("")
    with pytest.raises(InquirerError, match="uses the id 'q1' more than once"):
        make_plan(suite, limit=None, baseline=None, model="m", judge="j")
    (tmp_path / "old").mkdir()
    with pytest.raises(InquirerError, match="cannot compare with"):
        read_results(tmp_path / "old")
