"""`inquirer verify` end to end with the real parts: notes indexed with the bundled embedding
model into embedded Chroma, and the embedded 0.5B model as the judge (log probabilities from
llama.cpp through litellm)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from conftest import write_note
from inquirer.cli import cli
from inquirer.framing import FRAMING_LEAD
from inquirer.insight import INSIGHT_LEAD
from inquirer.notes import read_note

pytestmark = pytest.mark.slow
JUDGE = {"INQUIRER_VERIFY_MODEL": "local/qwen2.5-coder-0.5b"}

NOTES = {
    "lima-curated-alignment": (
        "LIMA fine-tuned a 65B model on 1,000 curated examples; raters preferred it or "
        "rated it equal to GPT-4 in 43% of comparisons."
    ),
    "urial-in-context": "URIAL aligned base models with only three in-context examples.",
    "style-fools-raters": "Imitation models copy the style of stronger models, which fools raters.",
}


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), env=JUDGE, catch_exceptions=False)


def sentence(text: str, note_id: str) -> dict[str, Any]:
    return {"sentences": [{"text": text, "cites": [note_id]}]}


def saved_line(corpus: Path, body: list[dict[str, Any]]) -> dict[str, Any]:
    notes = {p.stem: read_note(p) for p in corpus.glob("*.md")}
    cited = list(dict.fromkeys(s["cites"][0] for p in body for s in p["sentences"]))
    return {
        "question": "Does alignment need much data?",
        "framing": f"{FRAMING_LEAD} how much data alignment needs.",
        "body": body,
        "insight": f"{INSIGHT_LEAD} Very little data teaches the format.",
        "sources": [{"id": c, "title": notes[c].title, "summary": notes[c].summary} for c in cited],
        "next_lines": [
            "Can in-context examples replace fine-tuning for alignment?",
            "Why do human raters reward style?",
            "How many curated examples does instruction tuning need?",
        ],
        "read": [{"id": n.id, "version": n.fingerprint} for n in notes.values()],
    }


@pytest.fixture
def corpus(home: Path, tmp_path: Path) -> Path:
    folder = tmp_path / "notes"
    for note_id, summary in NOTES.items():
        write_note(folder, note_id, summary=summary, body=summary + " " + "More detail. " * 20)
    assert run("index", str(folder)).exit_code == 0
    return folder


def test_a_saved_line_is_reverified_and_a_wrong_number_fails_it(
    corpus: Path, tmp_path: Path
) -> None:
    line = saved_line(
        corpus,
        [
            sentence("LIMA was tuned on 1,000 curated examples.", "lima-curated-alignment"),
            sentence(
                "Raters preferred LIMA to GPT-4 in 63% of comparisons.", "lima-curated-alignment"
            ),
            sentence(
                "URIAL aligned base models with three in-context examples.", "urial-in-context"
            ),
        ],
    )
    path = tmp_path / "line.json"
    path.write_text(json.dumps(line))
    result = run("verify", str(path), "--json")
    assert result.exit_code == 1, result.output  # a failed line exits 1
    report = json.loads(result.stdout)
    verdict = report["verification"]
    assert verdict["status"] == "failed" and report["rot"] == []
    assert verdict["judges"] == ["llm:local/qwen2.5-coder-0.5b"]
    labels = [s["label"] for s in verdict["sentences"]]
    assert labels[1] == "unsupported"
    assert "number 63% appears in no cited note" in verdict["sentences"][1]["problems"]
    assert verdict["sentences"][1]["support"] is None  # a missing number needs no judge
    supports = [s["support"] for s in verdict["sentences"] if s["support"] is not None]
    assert len(supports) == 2 and all(0.0 <= p <= 1.0 for p in supports)
    assert any(0.0 < p < 1.0 for p in supports)  # probabilities from the model's logprobs
    assert 0 <= verdict["citation_recall"] <= 0.667 and verdict["citation_precision"] <= 0.667

    text = run("verify", str(path))
    assert "FAILED — failed:" in text.stdout and "Citation rot: none" in text.stdout


def test_citation_rot_and_unknown_notes_are_reported(corpus: Path, tmp_path: Path) -> None:
    line = saved_line(
        corpus,
        [
            sentence(
                "URIAL aligned base models with three in-context examples.", "urial-in-context"
            ),
            sentence("Imitation models copy the style of stronger models.", "style-fools-raters"),
        ],
    )
    path = tmp_path / "line.json"
    path.write_text(json.dumps(line))
    write_note(corpus, "urial-in-context", summary="URIAL aligned base models with two examples.")
    assert run("index", str(corpus)).exit_code == 0
    result = run("verify", str(path))
    assert "Citation rot: 1 cited note(s) changed since the line was written" in result.stdout
    assert "- urial-in-context (" in result.stdout

    (corpus / "style-fools-raters.md").unlink()
    assert run("index", str(corpus)).exit_code == 0
    gone = run("verify", str(path))
    assert gone.exit_code == 1
    assert "cites 1 note(s) the index does not hold: style-fools-raters" in gone.stderr
    assert "hint:" in gone.stderr


def test_a_malformed_line_file_gets_a_clear_error(home: Path, tmp_path: Path) -> None:
    path = tmp_path / "line.json"
    path.write_text('{"question": "q?"')
    result = run("verify", str(path))
    assert result.exit_code == 1 and "not JSON (line 1" in result.stderr
    path.write_text(json.dumps({"question": "q?"}))
    result = run("verify", str(path))
    assert "not a saved inquiring line (framing: Field required" in result.stderr
