"""benchmarks/restatement_focus.py: whether a restatement says the sentence of its note's
finding nearest the question, counted over a run's lines with the real embedder."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).parents[1]
SCRIPT = ROOT / "benchmarks" / "restatement_focus.py"
QUESTION = (
    "What drives zero-shot generalisation from multitask instruction tuning: the number of "
    "tasks, the number of examples per task, or model scale?"
)
NOTE = "super-natural-instructions-tk-instruct"


def run_of(tmp_path: Path, sentence: str) -> Path:
    lines = tmp_path / "run" / "agent" / "lines"
    lines.mkdir(parents=True)
    line = {
        "question": QUESTION,
        "read": [{"id": NOTE, "relevant": True, "reason": ""}],
        "body": [{"cites": [NOTE], "sentences": [{"text": sentence, "cites": [NOTE]}]}],
    }
    (lines / "q005.json").write_text(json.dumps(line))
    return tmp_path / "run"


@pytest.mark.parametrize(
    ("sentence", "said"),
    [
        # suite q005 at 8d91ce5: the 9% lead, not what drives generalisation
        (
            "Tk-Instruct outperformed InstructGPT by over 9% on held-out tasks despite being an "
            "order of magnitude smaller.",
            0,
        ),
        (
            "Wang et al. (2022) showed that generalisation grew with the number of training tasks "
            "and model size, not with more instances per task.",
            1,
        ),
    ],
)
def test_a_restatement_is_counted_by_the_sentence_nearest_the_question(
    tmp_path: Path, sentence: str, said: int
) -> None:
    done = subprocess.run(
        [sys.executable, str(SCRIPT), str(run_of(tmp_path, sentence))],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    assert "nearest: Generalisation grew with the number of training tasks" in done.stdout
    assert f"the sentence nearest the question: {said} of 1" in done.stdout
