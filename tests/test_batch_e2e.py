"""`inquirer batch` end to end with the real parts: notes of the bundled corpus, the bundled
embedding model, embedded Chroma and the embedded 0.5B model serving two lines at once from
two parallel slots; then `--suggest` asking the same model for new questions."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

import cli_support
from conftest import REPO
from inquirer import saved
from inquirer.ledger import Ledger
from inquirer.questions import load

pytestmark = pytest.mark.slow
MODEL = "local/qwen2.5-coder-0.5b"
NOTES = [
    "rlhf-hurts-calibration",
    "verbalized-confidence-calibration",
    "verbalized-confidence-overconfidence",
    "temperature-scaling-calibration",
    "models-mostly-know-what-they-know",
    "calibrated-models-must-hallucinate",
    "why-language-models-hallucinate",
    "finetuning-new-knowledge-hallucination",
    "binary-reward-calibration-brier",
    "hallucination-is-inevitable",
]
QUESTIONS = [
    "Does RLHF hurt the calibration of language models?",
    "Is confidence stated in words better calibrated than token probabilities?",
]


def run(
    home: Path, *args: str, extra: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return cli_support.run(home, None, *args, timeout=900, extra=extra)


def test_two_lines_at_once_from_the_local_model_then_suggestions(tmp_path: Path) -> None:
    corpus, home, out = tmp_path / "corpus", tmp_path / "home", tmp_path / "out"
    corpus.mkdir()
    for nid in NOTES:
        shutil.copy(REPO / "corpus" / "notes" / f"{nid}.md", corpus / f"{nid}.md")
    indexed = run(home, "index", str(corpus))
    assert indexed.returncode == 0, indexed.stderr
    qfile = tmp_path / "questions.txt"
    qfile.write_text("\n".join(QUESTIONS) + "\n", encoding="utf-8")

    done = run(
        home,
        "batch",
        str(qfile),
        "--out",
        str(out),
        "--concurrency",
        "2",
        "--model",
        MODEL,
        "--no-verify",
        extra=cli_support.TINY_BUDGET,
    )
    assert done.returncode == 0, done.stderr
    records = Ledger(out).read()
    assert len(records) == 2 and all(r.status == "done" for r in records.values())
    for record in records.values():
        assert record.model == MODEL and record.tokens["completion_tokens"] > 0
        line = saved.load(out / record.outputs["json"])
        assert line.question == record.question and line.body and line.sources
        cited = {c for p in line.body for s in p.sentences for c in s.cites}
        assert cited <= {r.id for r in line.read} and cited <= set(NOTES)
        assert "# INQUIRING LINE" in (out / record.outputs["md"]).read_text(encoding="utf-8")
    started = sorted(r.started for r in records.values())
    finished = sorted(r.finished for r in records.values())
    assert started[1] < finished[0]  # the second line began before the first was done
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["run"]["lines"] == 2 and summary["run"]["lines_per_minute"] > 0
    assert "lines/min" in done.stderr and "time per line" in done.stderr

    suggested = run(home, "batch", "--suggest", "2", "--out", str(out), "--model", MODEL)
    assert suggested.returncode == 0, suggested.stderr
    proposals = load(out / "suggested.txt").questions
    assert 1 <= len(proposals) <= 2, suggested.stderr
    assert suggested.stdout.splitlines() == [q.question for q in proposals]
    asked = {q.casefold() for q in QUESTIONS}
    titles = {saved_title.casefold() for saved_title in _titles(corpus)}
    for proposal in proposals:
        assert proposal.question.endswith("?")
        assert proposal.question.casefold() not in asked | titles


def _titles(corpus: Path) -> list[str]:
    from inquirer.notes import read_note

    return [read_note(p).title for p in corpus.glob("*.md")]
