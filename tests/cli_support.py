"""What the subprocess tests of the CLI share: a small calibration corpus indexed by the real
embedding model, the environment that points inquirer at a home (and at tests/fake_openai.py),
and the command run as a user runs it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from conftest import write_note
from fake_openai import FakeOpenAI

# next lines the checks can accept on this corpus: distinct, and close to its notes
FOLLOW_UPS = [
    "How does temperature scaling change the calibration error of a tuned model?",
    "Why is stated confidence better calibrated after RLHF?",
    "Does fine-tuning on facts the model did not know raise hallucination?",
    "Must a calibrated language model hallucinate on facts seen once?",
    "Can temperature scaling undo the calibration damage of RLHF?",
]


def small_corpus(root: Path) -> tuple[Path, Path]:
    """A home under ``root`` with a small corpus indexed by the real embedding model."""
    corpus = root / "corpus"
    notes = {
        "rlhf-calibration": ("Does RLHF hurt model calibration?", "RLHF raises calibration error."),
        "verbal-confidence": (
            "Is stated confidence better calibrated?",
            "Confidence stated in words is better calibrated after RLHF than token probabilities.",
        ),
        "temperature-scaling": (
            "Does temperature scaling fix calibration?",
            "Temperature scaling repairs most of the calibration error of a tuned model.",
        ),
        "calibration-hallucination": (
            "Must calibrated models hallucinate?",
            "A calibrated model must hallucinate at a rate tied to facts seen once in training.",
        ),
        "new-knowledge-finetuning": (
            "Does fine-tuning on new facts raise hallucination?",
            "Facts the model did not know are learned slowly and raise hallucination.",
        ),
        "models-know-what-they-know": (
            "Do language models know what they know?",
            "Large models are well calibrated on multiple-choice questions in the right format.",
        ),
    }
    ids = list(notes)
    for i, (nid, (title, summary)) in enumerate(notes.items()):
        related = [ids[(i + 1) % len(ids)], ids[(i + 2) % len(ids)]]
        write_note(corpus, nid, title=title, summary=summary, related=related, tags=["calibration"])
    home = root / "home"
    done = run(home, None, "index", str(corpus))
    assert done.returncode == 0, done.stderr
    return home, corpus


# the real-model tests check that every part works, not how good a line is: a small agent
# budget (a user's is 4 searches and 10 reads) keeps each of their lines to a minute or two
REAL_BUDGET = {"INQUIRER_AGENT_SEARCHES": "2", "INQUIRER_AGENT_READS": "4"}
# one search and two reads: still a whole line, with no planning call and two note judgements
TINY_BUDGET = {"INQUIRER_AGENT_SEARCHES": "1", "INQUIRER_AGENT_READS": "2"}


def env(home: Path, server: FakeOpenAI | None) -> dict[str, str]:
    out = {k: v for k, v in os.environ.items() if not k.startswith("INQUIRER_")}
    out["INQUIRER_HOME"] = str(home)
    if server is None:
        out |= REAL_BUDGET
    if server is not None:
        out |= {
            "INQUIRER_MODEL": "openai/fake",
            "INQUIRER_LLM_API_BASE": server.api_base,
            "INQUIRER_LLM_API_KEY": "test",
            "INQUIRER_LLM_RETRIES": "0",
        }
    return out


def sigint_as_at_a_terminal() -> None:
    """A ``preexec_fn`` for a child that a test stops with Ctrl+C (SIGINT). A test run started in
    the background inherits SIGINT ignored, and Python then installs no KeyboardInterrupt
    handler in the child; this gives it SIGINT's default, as at a terminal."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def run(
    home: Path,
    server: FakeOpenAI | None,
    *args: str,
    cwd: Path | None = None,
    timeout: float = 600,
    extra: dict[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    """``inquirer ARGS`` with INQUIRER_HOME=home, on ``server`` (None: the real models), with
    ``extra`` environment variables."""
    return subprocess.run(
        [sys.executable, "-m", "inquirer", *args],
        env=env(home, server) | (extra or {}),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        cwd=cwd,
    )
