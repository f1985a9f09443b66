"""The eval suite's smoke run (evals/smoke.toml) end to end with the real parts: the bundled
corpus indexed by the bundled embedding model into embedded Chroma, the embedded 0.5B model
answering and judging, three questions (one of each kind) for the agent and the baseline, six
labelled claims. It checks that the report is complete and well formed; its figures are a
smoke run's and mean little (the full run is a benchmark: evals/reports/)."""

from __future__ import annotations

import json
import re
import subprocess
import time
from pathlib import Path

import pytest

import cli_support
from conftest import REPO
from inquirer.evals.report import METRICS

pytestmark = [pytest.mark.slow, pytest.mark.smoke]
MODEL = "local/qwen2.5-coder-0.5b"


def run(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return cli_support.run(home, None, *args, timeout=1800)


def tables(markdown: str) -> list[list[str]]:
    """Each Markdown table in the text, as its rows."""
    found: list[list[str]] = []
    current: list[str] = []
    for line in [*markdown.splitlines(), ""]:
        if line.startswith("|"):
            current.append(line)
        elif current:
            found.append(current)
            current = []
    return found


@pytest.mark.timeout(1800)
def test_the_smoke_suite_makes_a_complete_well_formed_report(
    bundled_index: Path, tmp_path: Path
) -> None:
    home, out = bundled_index, tmp_path / "reports" / "smoke"
    start = time.perf_counter()
    suite = str(REPO / "evals" / "smoke.toml")
    done = run(
        home, "eval", "--suite", suite, "--model", MODEL, "--judge", MODEL, "--out", str(out)
    )
    seconds = time.perf_counter() - start
    print(f"smoke eval: {seconds:.0f} s")  # the figure the README quotes (pytest -s shows it)
    assert done.returncode == 0, done.stderr

    results = json.loads((out / "results.json").read_text(encoding="utf-8"))
    config = results["config"]
    assert len(config["questions"]) == 3 and config["model"] == MODEL
    assert config["questions_available"] == 92
    kinds = {"single", "multi_hop", "unanswerable"}
    for name in ("agent", "baseline"):
        system = results["systems"][name]
        assert not system["failed"], system["failed"]
        assert set(system["summary"]) >= set(METRICS)
        assert set(system["by_kind"]) == kinds
        assert len(system["lines"]) == 3
        for row in system["lines"]:
            assert (out / name / "lines" / f"{row['question_id']}.md").is_file()
            assert row["citation_recall"] is not None  # the verifier ran on every line
            assert row["seconds"] > 0 and row["tokens"] > 0
    agent = results["systems"]["agent"]["summary"]
    assert agent["source_recall"] is not None and 0 <= agent["source_recall"] <= 1
    assert agent["abstention_accuracy"] in (0.0, 1.0)  # one unanswerable question
    assert [r["mode"] for r in results["retrieval"]] == ["bm25", "hybrid"]
    assert all(0 <= r["recall_10"] <= 1 for r in results["retrieval"])
    verifier = results["verifier"]
    assert verifier["n"] == 6 and sum(verifier["confusion"].values()) == 6

    report = (out / "report.md").read_text(encoding="utf-8")
    for heading in ("## Answers", "### agent, by kind", "### baseline, by kind", "## Retrieval"):
        assert heading in report
    assert "## The verifier on labelled claims" in report and "## Against the previous" in report
    assert "## Where the gold notes are lost" in report
    for label in METRICS.values():
        assert f"| {label} |" in report
    for rows in tables(report):
        widths = {row.count("|") for row in rows}
        assert len(widths) == 1, rows  # every row has the header's cells
        assert re.fullmatch(r"(\| --- )+\|", rows[1]), rows[1]
    for name in re.findall(r"!\[\w+\]\((\w+\.png)\)", report):
        image = (out / name).read_bytes()
        assert image[:8] == b"\x89PNG\r\n\x1a\n" and len(image) > 10_000, name
    assert len(re.findall(r"!\[\w+\]\(", report)) == 3
