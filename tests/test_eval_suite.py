"""The eval suite's parts: suite files, subsets that keep every kind, resumable claim judging,
scoring a batch folder's lines, finding the previous report, and cost regressions."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

import pytest

from inquirer.errors import ConfigError, InquirerError
from inquirer.evals.claims import Claim
from inquirer.evals.compare import compare
from inquirer.evals.external import SOURCES
from inquirer.evals.judging import judge_claims
from inquirer.evals.report import latest_report
from inquirer.evals.retrieval import Question
from inquirer.evals.suite import (
    in_turn,
    load_suite,
    make_plan,
    score_lines,
    spread,
    start_run,
)
from inquirer.evals.verifier_scores import verifier_results, verifier_section, verifier_sets
from inquirer.ledger import Ledger, Record
from inquirer.types import Note, Sentence, SentenceCheck


def test_a_subset_takes_each_kind_in_turn_and_keeps_file_order() -> None:
    items = ["s1", "s2", "s3", "m1", "m2", "u1"]
    kind = str.__getitem__
    assert spread(items, lambda x: kind(x, 0), 3) == ["s1", "m1", "u1"]
    assert spread(items, lambda x: kind(x, 0), 5) == ["s1", "s2", "m1", "m2", "u1"]
    assert spread(items, lambda x: kind(x, 0), None) == items
    assert spread(items, lambda x: kind(x, 0), 50) == items
    assert in_turn(items, lambda x: kind(x, 0)) == ["s1", "m1", "u1", "s2", "m2", "s3"]


def test_suite_files_name_what_is_wrong(tmp_path: Path) -> None:
    with pytest.raises(InquirerError, match="no suite file at"):
        load_suite(tmp_path / "missing.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text('limit = 0\nretrieval_modes = ["dense", "grep"]\nextra = 1\n')
    with pytest.raises(ConfigError) as caught:
        load_suite(bad)
    message = str(caught.value)
    assert "limit" in message and "retrieval_modes.1" in message and "extra" in message
    good = tmp_path / "good.toml"
    good.write_text('questions = "q.jsonl"\nlimit = 4\n')
    suite = load_suite(good)
    assert suite.config.limit == 4 and suite.resolve(suite.config.questions) == tmp_path / "q.jsonl"
    assert suite.config.retrieval_modes == ["dense", "bm25", "hybrid", "hybrid+links"]


def test_the_agent_budget_comes_from_the_suite_then_the_settings_and_pins_the_run(
    tmp_path: Path,
) -> None:
    row = {"id": "q1", "question": "Q?", "kind": "single", "relevant": {"a": 2}}
    (tmp_path / "retrieval.jsonl").write_text(json.dumps(row) + "\n")
    (tmp_path / "claims.jsonl").write_text("")
    (tmp_path / "s.toml").write_text("agent_reads = 3\nagent_enough = 9\n")
    settings = {"searches": 4, "reads": 10, "enough": 7}
    plan = make_plan(
        load_suite(tmp_path / "s.toml"),
        limit=None,
        baseline=False,
        model="m",
        judge="j",
        budget=settings,
    )
    assert plan.budget == {"searches": 4, "reads": 3, "enough": 9}
    out = tmp_path / "run"
    out.mkdir()
    start_run(out, plan)
    assert json.loads((out / "config.json").read_text())["agent_budget"] == plan.budget
    (tmp_path / "t.toml").write_text("")
    other = make_plan(
        load_suite(tmp_path / "t.toml"),
        limit=None,
        baseline=False,
        model="m",
        judge="j",
        budget=settings,
    )
    with pytest.raises(InquirerError, match="another agent budget"):
        start_run(out, other)
    old = json.loads((out / "config.json").read_text())
    del old["agent_budget"]  # a run from before budgets were recorded ran with the defaults
    (out / "config.json").write_text(json.dumps(old))
    start_run(out, other)
    old["agent_budget"] = {"searches": 4, "reads": 10}  # recorded before the stopping point was
    (out / "config.json").write_text(json.dumps(old))
    start_run(out, other)
    old["agent_budget"] = {"searches": 4, "reads": 10, "enough": 5}
    (out / "config.json").write_text(json.dumps(old))
    with pytest.raises(InquirerError, match="another agent budget"):
        start_run(out, other)


class CountingVerifier:
    """Labels a claim unsupported when it holds the word "not"; counts its calls."""

    def __init__(self) -> None:
        self.calls = 0

    def check(self, sentence: Sentence, notes: dict[str, Note]) -> SentenceCheck:
        self.calls += 1
        label = "unsupported" if " not " in f" {sentence.text} " or not notes else "supported"
        return SentenceCheck(0, 0, sentence.text, sentence.cites, label, 0.5)


class Notes:
    def read(self, note_id: str) -> Note | None:
        return None if note_id == "gone" else Note(note_id, note_id, "s", "b", "p", "f")


def claim(cid: str, text: str, label: str, note: str = "n") -> Claim:
    return Claim(cid, text, note, label, "kind", "test")


def test_claims_are_judged_once_each_and_a_rerun_judges_only_the_rest(tmp_path: Path) -> None:
    claims = [
        claim("c1", "A holds.", "supported"),
        claim("c2", "A does not hold.", "contradicted"),
        claim("c3", "B holds.", "not_enough_info", note="gone"),
    ]
    path = tmp_path / "claims.jsonl"
    path.write_text(json.dumps({"id": "c1", "label": "supported"}) + '\n{"id": "c2", "lab')
    verifier = CountingVerifier()
    seen: list[tuple[int, int]] = []
    rows = judge_claims(verifier, Notes(), claims, path, lambda d, t: seen.append((d, t)))  # type: ignore[arg-type]
    assert verifier.calls == 2  # c1 was judged before; the torn c2 line is judged again
    assert seen == [(1, 3), (2, 3), (3, 3)]
    assert rows["c2"]["label"] == "unsupported" and rows["c3"]["label"] == "unsupported"
    scores = verifier_results(claims, rows)
    assert scores["n"] == 3 and scores["confusion"] == {"tp": 2, "fn": 0, "fp": 0, "tn": 1}
    again = CountingVerifier()
    judge_claims(again, Notes(), claims, path, lambda d, t: None)  # type: ignore[arg-type]
    assert again.calls == 0


def test_lines_of_a_batch_folder_are_scored_and_the_missing_ones_listed(tmp_path: Path) -> None:
    folder = tmp_path / "agent"
    (folder / "lines").mkdir(parents=True)
    line: dict[str, Any] = {
        "question": "Q?",
        "body": [{"sentences": [{"text": "A.", "cites": ["a"]}]}],
        "sources": [{"id": "a"}],
        "timings": {"total_s": 12.0},
    }
    (folder / "lines" / "q1.json").write_text(json.dumps(line))
    ledger = Ledger(folder)
    ledger.append(Record(id="q1", question="Q?", status="done", outputs={"json": "lines/q1.json"}))
    ledger.append(Record(id="q2", question="Q2?", status="failed", error="the model timed out"))
    questions = [
        Question("q1", "Q?", "single", {"a": 2, "b": 1}),
        Question("q2", "Q2?", "single", {"a": 2}),
        Question("q3", "Q3?", "unanswerable", {}),
    ]
    scored = score_lines(folder, questions)
    assert [s.question_id for s in scored.scores] == ["q1"]
    assert scored.scores[0].source_recall == 0.5 and scored.scores[0].seconds == 12.0
    assert scored.failed == {"q2": "the model timed out"} and scored.missing == ["q3"]


def test_the_previous_report_is_the_newest_finished_one_beside(tmp_path: Path) -> None:
    for name, finished in (("a", "2026-01-02T00:00:00"), ("b", "2026-03-01T00:00:00")):
        (tmp_path / name).mkdir()
        (tmp_path / name / "results.json").write_text(
            json.dumps({"config": {"finished": finished}})
        )
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / "results.json").write_text("{")
    (tmp_path / "now").mkdir()
    assert latest_report(tmp_path, exclude=tmp_path / "now") == tmp_path / "b"
    assert latest_report(tmp_path, exclude=tmp_path / "b") == tmp_path / "a"
    assert latest_report(tmp_path / "now", exclude=tmp_path) is None


def test_a_cost_regresses_only_beyond_its_share_and_its_floor() -> None:
    before = {"agent.median_seconds": 2.0, "retrieval.hybrid.median_ms": 10.0}
    after = {"agent.median_seconds": 2.9, "retrieval.hybrid.median_ms": 14.0}
    assert not any(c.regressed for c in compare(before, after))  # noise on fast figures
    slower = {"agent.median_seconds": 3.5, "retrieval.hybrid.median_ms": 40.0}
    assert all(c.regressed for c in compare(before, slower))


def test_the_dev_suite_takes_its_twelve_questions_of_every_kind(tmp_path: Path) -> None:
    evals = Path(__file__).resolve().parent.parent / "evals"
    plan = make_plan(
        load_suite(evals / "dev.toml"), limit=None, baseline=None, model="m", judge="j"
    )
    kinds = [q.kind for q in plan.questions]
    assert len(kinds) == 12 and not plan.baseline
    assert (kinds.count("single"), kinds.count("multi_hop"), kinds.count("unanswerable")) == (
        5,
        4,
        3,
    )
    (tmp_path / "questions.jsonl").write_text(
        (evals / "retrieval.jsonl").read_text(encoding="utf-8"), encoding="utf-8"
    )
    (tmp_path / "claims.jsonl").write_text("", encoding="utf-8")
    (tmp_path / "s.toml").write_text('questions = "questions.jsonl"\nids = ["q001", "q999"]\n')
    with pytest.raises(InquirerError, match="q999"):
        make_plan(load_suite(tmp_path / "s.toml"), limit=None, baseline=None, model="m", judge="j")


def test_a_suite_scores_the_verifier_on_line_sentences_and_external_sets(tmp_path: Path) -> None:
    row = {"id": "q1", "question": "Q?", "kind": "single", "relevant": {"a": 2}}
    (tmp_path / "retrieval.jsonl").write_text(json.dumps(row) + "\n")
    (tmp_path / "claims.jsonl").write_text(
        json.dumps({"id": "c1", "claim": "A.", "note_id": "a", "label": "supported"})
        + "\n"
        + json.dumps({"id": "c2", "claim": "B.", "note_id": "a", "label": "contradicted"})
        + "\n"
    )
    lines = [
        {
            "id": f"l{i}",
            "claim": f"A, unlike B {i}.",
            "note_ids": ["a", "b"],
            "kind": "connective",
            "label": "supported" if i % 2 else "not_supported",
        }
        for i in range(4)
    ]
    (tmp_path / "lines.jsonl").write_text("".join(json.dumps(r) + "\n" for r in lines))
    (tmp_path / "s.toml").write_text(
        'line_claims = "lines.jsonl"\nexternal = ["falke"]\nexternal_limit = 3\n'
        'claims_split = "all"\n'
    )
    cache = tmp_path / "cache"
    source = SOURCES["falke"]
    fake = [
        {
            "article_sent": f"the mayor opened bridge {i}.",
            "correct_sent": f"the mayor opened bridge {i}.",
            "incorrect_sent": f"the mayor did not open bridge {i}.",
        }
        for i in range(10)
    ]
    name, version = source.package.split("==")
    cache.mkdir()
    with zipfile.ZipFile(cache / f"{name}-{version}-py3-none-any.whl", "w") as archive:
        archive.writestr(source.member, "".join(json.dumps(r) + "\n" for r in fake))
    plan = make_plan(
        load_suite(tmp_path / "s.toml"),
        limit=None,
        baseline=False,
        model="m",
        judge="j",
        external_cache=cache,
        say=lambda _: None,
    )
    sets = {c.set for c in plan.claims}
    assert sets == {"claims", "lines", "falke"}
    assert sum(c.set == "falke" for c in plan.claims) == 3  # the limit holds per set
    line = next(c for c in plan.claims if c.set == "lines")
    assert line.notes == ("a", "b")  # checked against both notes it cites
    external = next(c for c in plan.claims if c.set == "falke")
    assert external.notes == () and external.evidence.startswith("the mayor opened")
    verifier = CountingVerifier()
    judged = tmp_path / "judged.jsonl"
    rows = judge_claims(verifier, Notes(), plan.claims, judged, lambda d, t: None)  # type: ignore[arg-type]
    # the external evidence is a note of its own: judged against it, not "cites no note"
    assert rows[external.id]["label"] == ("supported" if external.supported else "unsupported")
    figures = verifier_sets(plan.claims, rows)
    assert list(figures) == ["claims", "lines", "falke"]
    assert figures["falke"]["n"] == 3 and figures["lines"]["n"] == 4
    assert figures["lines"]["errors"]["passed unsupported"] == {"connective": 2}
    report = "\n".join(verifier_section(figures))
    assert "| Falke et al. summary sentences, written by others | 3 |" in report
    assert "- Errors on lines: passed unsupported: connective 2." in report
    with pytest.raises(InquirerError, match="external sets that do not exist: fever"):
        (tmp_path / "u.toml").write_text('external = ["fever"]\n')
        make_plan(load_suite(tmp_path / "u.toml"), limit=None, baseline=False, model="m", judge="j")


def test_a_verifier_only_suite_makes_no_lines(tmp_path: Path) -> None:
    row = {"id": "q1", "question": "Q?", "kind": "single", "relevant": {"a": 2}}
    (tmp_path / "retrieval.jsonl").write_text(json.dumps(row) + "\n")
    (tmp_path / "claims.jsonl").write_text("")
    (tmp_path / "v.toml").write_text("lines = false\nretrieval_modes = []\n")
    plan = make_plan(load_suite(tmp_path / "v.toml"), limit=3, baseline=False, model="m", judge="j")
    assert plan.questions == [] and plan.available == 1
    shipped = load_suite(Path(__file__).resolve().parents[1] / "evals" / "verifier.toml")
    assert not shipped.config.lines and shipped.config.external == ["halueval-qa", "falke"]
