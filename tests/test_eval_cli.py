"""`inquirer eval` as a user runs it: the command in a subprocess over a small indexed corpus
(real embeddings, embedded Chroma), with litellm talking HTTP to tests/fake_openai.py, so that
a whole run, its resume after Ctrl+C and the comparison of two reports take seconds. The
figures it reports say nothing of quality; the real model's run is test_eval_e2e.py."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from cli_support import FOLLOW_UPS, env, run, sigint_as_at_a_terminal, small_corpus
from fake_openai import FakeOpenAI
from inquirer.ledger import Ledger

pytestmark = pytest.mark.slow

QUESTIONS: list[dict[str, Any]] = [
    {
        "id": "e1",
        "question": "Does RLHF hurt the calibration of model probabilities?",
        "kind": "single",
        "relevant": {"rlhf-calibration": 2},
    },
    {
        "id": "e2",
        "question": "Must calibrated models hallucinate, and do new facts add to it?",
        "kind": "multi_hop",
        "relevant": {"calibration-hallucination": 2, "new-knowledge-finetuning": 2},
    },
    {
        "id": "e3",
        "question": "What is the boiling point of ethanol at sea level?",
        "kind": "unanswerable",
        "relevant": {},
    },
    {
        "id": "e4",
        "question": "Does temperature scaling repair the calibration of a tuned model?",
        "kind": "single",
        "relevant": {"temperature-scaling": 2, "rlhf-calibration": 1},
    },
]
CLAIMS = [
    ("c1", "RLHF raises calibration error.", "rlhf-calibration", "supported", "exact"),
    ("c2", "RLHF lowers calibration error.", "rlhf-calibration", "contradicted", "reversed"),
    ("c3", "Temperature scaling repairs calibration.", "temperature-scaling", "supported", "exact"),
    ("c4", "Scaling fixes 90% of errors.", "temperature-scaling", "not_enough_info", "number"),
]


@pytest.fixture(scope="module")
def server() -> Iterator[FakeOpenAI]:
    with FakeOpenAI(delay=0.05, questions=FOLLOW_UPS) as fake:
        yield fake


@pytest.fixture(scope="module")
def indexed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return small_corpus(tmp_path_factory.mktemp("eval"))


def suite(folder: Path, questions: list[dict[str, Any]] = QUESTIONS, extra: str = "") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    rows = "".join(json.dumps(q) + "\n" for q in questions)
    (folder / "questions.jsonl").write_text(rows, encoding="utf-8")
    claims = [
        {"id": i, "claim": c, "note_id": n, "label": label, "kind": k}
        for i, c, n, label, k in CLAIMS
    ]
    (folder / "claims.jsonl").write_text(
        "".join(json.dumps(c) + "\n" for c in claims), encoding="utf-8"
    )
    path = folder / "suite.toml"
    path.write_text(
        'questions = "questions.jsonl"\nclaims = "claims.jsonl"\nclaims_split = "all"\n'
        'retrieval_modes = ["bm25", "hybrid"]\n' + extra,
        encoding="utf-8",
    )
    return path


def test_a_run_writes_a_whole_report_resumes_and_compares_with_the_last(
    indexed: tuple[Path, Path], server: FakeOpenAI, tmp_path: Path
) -> None:
    home, _ = indexed
    suite_file = suite(tmp_path / "evals")
    first = tmp_path / "evals" / "reports" / "first"
    done = run(home, server, "eval", "--suite", str(suite_file), "--out", str(first))
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == str(first / "report.md")
    for name in ("results.json", "report.md", "metrics.png", "latency.png", "heatmap.png"):
        assert (first / name).is_file(), name
    for plot in first.glob("*.png"):
        assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and plot.stat().st_size > 5000
    results = json.loads((first / "results.json").read_text())
    assert set(results["systems"]) == {"agent", "baseline"}
    for system in results["systems"].values():
        assert [row["question_id"] for row in system["lines"]] == ["e1", "e2", "e3", "e4"]
        assert system["summary"]["lines"] == 4 and not system["failed"]
        assert set(system["by_kind"]) == {"single", "multi_hop", "unanswerable"}
    agent = results["systems"]["agent"]["summary"]
    assert agent["citation_recall"] is not None and agent["next_answerable"] is not None
    assert results["systems"]["baseline"]["summary"]["format_ok"] == 0.0  # no framing et al.
    for system in results["systems"].values():  # the gold notes' funnel, from real traces
        funnel = system["funnel"]
        assert funnel["gold"] > 0 and 1 >= funnel["found"] >= funnel["read"] >= funnel["kept"]
    assert [r["mode"] for r in results["retrieval"]] == ["bm25", "hybrid"]
    assert results["verifier"]["n"] == 4
    assert results["comparison"] is None
    report = (first / "report.md").read_text()
    for heading in ("## Answers", "## Where the gold", "## Retrieval", "## The verifier"):
        assert heading in report
    assert "## Against the previous" in report and "![heatmap](heatmap.png)" in report

    again = run(home, server, "eval", "--suite", str(suite_file), "--out", str(first))
    assert again.returncode == 0, again.stderr
    assert "to make" not in again.stderr  # every line was made: only the report is rewritten

    second = tmp_path / "evals" / "reports" / "second"
    smaller = run(
        home, server, "eval", "--suite", str(suite_file), "--out", str(second), "--limit", "3"
    )
    assert smaller.returncode == 0, smaller.stderr
    comparison = json.loads((second / "results.json").read_text())["comparison"]
    assert comparison["previous"] == str(first)
    assert comparison["differs_in"] == ["questions"]
    metrics = {c["metric"] for c in comparison["changes"]}
    assert {"agent.source_recall", "verifier.balanced_accuracy"} <= metrics
    assert "compare only in part" in (second / "report.md").read_text()


def test_ctrl_c_keeps_the_finished_lines_and_the_same_command_finishes_the_run(
    indexed: tuple[Path, Path], server: FakeOpenAI, tmp_path: Path
) -> None:
    home, _ = indexed
    suite_file = suite(tmp_path / "evals", extra="baseline = false\n")
    out = tmp_path / "run"
    command = [sys.executable, "-m", "inquirer", "eval", "--suite", str(suite_file)]
    proc = subprocess.Popen(
        [*command, "--out", str(out)],
        env=env(home, server),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=sigint_as_at_a_terminal,
    )
    ledger = out / "agent" / "ledger.jsonl"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not (ledger.is_file() and ledger.read_text().strip()):
        time.sleep(0.1)
    proc.send_signal(signal.SIGINT)
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130, stderr
    assert f"--out {out}" in stderr
    kept = Ledger(out / "agent").read()
    assert 1 <= len(kept) < 4 and not (out / "results.json").exists()

    partial = run(
        home, server, "eval", "--suite", str(suite_file), "--out", str(out), "--report-only"
    )
    assert partial.returncode == 0, partial.stderr
    assert f"{4 - len(kept)} not made" in partial.stderr
    report = (out / "report.md").read_text()
    assert "A partial run" in report and f"agent: {len(kept)} of 4 lines made" in report
    assert len(Ledger(out / "agent").read()) == len(kept)  # --report-only made none

    done = run(home, server, "eval", "--suite", str(suite_file), "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert f"to make ({4 - len(kept)} left in all)" in done.stderr
    assert "A partial run" not in (out / "report.md").read_text()
    results = json.loads((out / "results.json").read_text())
    assert (
        list(results["systems"]) == ["agent"]
        and results["systems"]["agent"]["summary"]["lines"] == 4
    )
    assert set(Ledger(out / "agent").read()) == {"e1", "e2", "e3", "e4"}


def test_bad_suites_and_runs_are_refused_with_what_to_do(
    indexed: tuple[Path, Path], server: FakeOpenAI, tmp_path: Path
) -> None:
    home, _ = indexed
    missing = run(home, server, "eval", "--suite", str(tmp_path / "nope.toml"))
    assert missing.returncode != 0 and "no suite file at" in missing.stderr
    assert "--suite FILE" in missing.stderr

    typo = suite(tmp_path / "typo", extra="limt = 3\n")
    bad = run(home, server, "eval", "--suite", str(typo))
    assert bad.returncode == 2 and "limt" in bad.stderr

    broken = suite(tmp_path / "broken", extra="limit = [\n")
    bad = run(home, server, "eval", "--suite", str(broken))
    assert bad.returncode == 2 and "not TOML" in bad.stderr

    stray = [{**QUESTIONS[0], "relevant": {"no-such-note": 2}}]
    elsewhere = suite(tmp_path / "elsewhere", stray)
    bad = run(home, server, "eval", "--suite", str(elsewhere), "--out", str(tmp_path / "x"))
    assert (
        bad.returncode == 1 and "the index lacks 1 of the 3 notes the eval sets name" in bad.stderr
    )
    assert "inquirer index" in bad.stderr

    empty = run(
        home,
        server,
        "eval",
        "--suite",
        str(elsewhere),
        "--out",
        str(tmp_path / "e"),
        "--report-only",
    )
    assert empty.returncode == 1 and "holds no eval run to report on" in empty.stderr

    out = tmp_path / "other"
    good = suite(tmp_path / "good", extra="baseline = false\nlimit = 1\n")
    assert run(home, server, "eval", "--suite", str(good), "--out", str(out)).returncode == 0
    other = run(
        home, server, "eval", "--suite", str(good), "--out", str(out), "--model", "openai/other"
    )
    assert other.returncode == 1 and "holds an eval run with another model" in other.stderr
