"""`inquirer batch` as a user runs it: the command in a subprocess, the bundled embedding model,
embedded Chroma and litellm over HTTP, against an OpenAI-compatible server on a loopback port
that answers from each request's schema (tests/fake_openai.py), so that a kill can land in the
middle of a batch in seconds. The lines it makes say nothing; the real model's lines are in
test_batch_e2e.py."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from cli_support import FOLLOW_UPS, env, run, sigint_as_at_a_terminal, small_corpus
from fake_openai import FakeOpenAI
from inquirer import saved
from inquirer.ledger import Ledger

pytestmark = pytest.mark.slow

QUESTIONS = [
    "Does RLHF hurt the calibration of model probabilities?",
    "Is confidence stated in words better calibrated than token probabilities?",
    "Does temperature scaling repair the calibration error of a tuned model?",
    "Do larger models keep their calibration better through RLHF?",
    "Does verbalized confidence survive preference tuning?",
    "How does calibration relate to hallucination?",
    "Can a model know what it does not know?",
    "Does fine-tuning on new facts make a model overconfident?",
]


@pytest.fixture(scope="module")
def server() -> Iterator[FakeOpenAI]:
    with FakeOpenAI(delay=0.15, questions=FOLLOW_UPS) as fake:
        yield fake


@pytest.fixture
def own_server() -> Iterator[FakeOpenAI]:
    """A server of the test's own: what the shared one answers depends on the calls made before
    (it takes its next lines from FOLLOW_UPS in turn), so a test that needs whole lines from it
    would pass alone and fail after the others."""
    with FakeOpenAI(delay=0.15, questions=FOLLOW_UPS) as fake:
        yield fake


@pytest.fixture(scope="module")
def indexed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return small_corpus(tmp_path_factory.mktemp("batch"))


def questions(tmp_path: Path, lines: list[str], name: str = "questions.txt") -> Path:
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGINT])
def test_a_killed_batch_loses_nothing_and_resume_finishes_it(
    indexed: tuple[Path, Path], server: FakeOpenAI, tmp_path: Path, sig: int
) -> None:
    home, _ = indexed
    qfile, out = questions(tmp_path, QUESTIONS), tmp_path / "out"
    proc = subprocess.Popen(
        [sys.executable, "-m", "inquirer", "batch", str(qfile), "--out", str(out), "-c2"],
        env=env(home, server),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=sigint_as_at_a_terminal,
    )
    ledger = out / "ledger.jsonl"
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and proc.poll() is None:
        if ledger.exists() and len(ledger.read_text().splitlines()) >= 3:
            break
        time.sleep(0.05)
    assert proc.poll() is None, f"the batch ended before it could be killed: {proc.stderr}"
    proc.send_signal(sig)
    code = proc.wait(timeout=60)
    assert proc.stderr is not None
    said = proc.stderr.read()
    if sig == signal.SIGINT:  # Ctrl+C: a clean stop that says how to go on
        assert code == 130, said
        assert "interrupted:" in said and "--resume" in said
    else:
        assert code == -signal.SIGKILL

    # what the kill left: whole records, whole files
    lines = ledger.read_text(encoding="utf-8").splitlines()
    before = {r["id"]: r for r in map(json.loads, lines)}  # every line parses
    assert 3 <= len(before) < len(QUESTIONS)
    for record in before.values():
        assert record["status"] == "done"
        saved.load(out / record["outputs"]["json"])  # whole and valid
    for made in (out / "lines").glob("*.json"):
        json.loads(made.read_text(encoding="utf-8"))  # no visible file is half-written

    again = run(home, server, "batch", str(qfile), "--out", str(out), "--resume")
    assert again.returncode == 0, again.stderr
    assert f"{len(QUESTIONS) - len(before)} of {len(QUESTIONS)} questions to do" in again.stderr
    records = Ledger(out).read()
    assert len(records) == len(QUESTIONS) and all(r.status == "done" for r in records.values())
    assert len(ledger.read_text(encoding="utf-8").splitlines()) == len(QUESTIONS)
    for qid, record in before.items():
        assert records[qid].finished == record["finished"]  # not made again
    assert not list(out.rglob("*.partial"))
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["done"] == len(QUESTIONS) and summary["skipped"] == len(before)


def test_bad_lines_are_reported_by_number_and_the_rest_processed(
    indexed: tuple[Path, Path], server: FakeOpenAI, tmp_path: Path
) -> None:
    home, _ = indexed
    rows = [
        json.dumps({"id": "one", "question": QUESTIONS[0]}),
        "{not json",
        json.dumps({"id": "two", "question": QUESTIONS[1], "options": {"verify": False}}),
        json.dumps({"id": "three", "question": QUESTIONS[0]}),  # the first, again
    ]
    out = tmp_path / "out"
    done = run(home, server, "batch", str(questions(tmp_path, rows, "q.jsonl")), "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert "q.jsonl:2: error: not valid JSON" in done.stderr
    assert "q.jsonl:4: repeats line 1 (one); asked once" in done.stderr
    records = Ledger(out).read()
    assert sorted(records) == ["one", "two"]
    assert records["two"].verification["status"] == "not run"  # its own option
    # verified (the fake's lines say nothing, so the reading pass may fail them)
    assert records["one"].verification["status"] in ("passed", "failed")
    assert "2: 2 done, 0 rejected, 0 failed" in done.stderr


def test_an_empty_file_or_a_second_run_without_resume_is_refused(
    indexed: tuple[Path, Path], server: FakeOpenAI, tmp_path: Path
) -> None:
    home, _ = indexed
    empty = run(home, server, "batch", str(questions(tmp_path, ["", "# nothing"])), "--out", "x")
    assert empty.returncode == 1 and "holds no questions" in empty.stderr
    out = tmp_path / "out"
    first = run(home, server, "batch", str(questions(tmp_path, QUESTIONS[:1])), "--out", str(out))
    assert first.returncode == 0, first.stderr
    second = run(home, server, "batch", str(questions(tmp_path, QUESTIONS[:1])), "--out", str(out))
    assert second.returncode == 1 and "already holds a batch" in second.stderr
    assert "--resume" in second.stderr
    none = run(home, server, "batch", "--out", str(out))
    assert none.returncode == 1 and "needs a QUESTIONS_FILE" in none.stderr


def test_gates_reject_and_write_back_adds_verified_lines_to_the_corpus(
    indexed: tuple[Path, Path], own_server: FakeOpenAI, tmp_path: Path
) -> None:
    home, corpus = indexed
    server = own_server
    out, generated = tmp_path / "out", corpus / "generated"
    done = run(
        home,
        server,
        "batch",
        str(questions(tmp_path, QUESTIONS[:2])),
        "--out",
        str(out),
        "--write-back",
        "--write-back-dir",
        str(generated),
        "--min-sources",
        "2",
        # the fake server's lines say nothing and read so: the reading pass lists its findings
        # without failing them, so that lines pass and are written back
        extra={"INQUIRER_VERIFY_READING": "report"},
    )
    assert done.returncode == 0, done.stderr
    records = Ledger(out).read().values()
    written = [r for r in records if r.note]
    assert written and all(Path(r.note).is_file() for r in written)
    check = run(home, None, "corpus", "check", str(corpus))
    assert check.returncode == 0, check.stderr  # every link of the new notes resolves
    found = run(home, None, "search", QUESTIONS[0], "--tag", "generated-line", "--json")
    assert found.returncode == 0, found.stderr
    assert {h["id"] for h in json.loads(found.stdout)} == {Path(r.note).stem for r in written}
    strict = run(
        home,
        server,
        "batch",
        str(questions(tmp_path, QUESTIONS[2:3], "more.txt")),
        "--out",
        str(tmp_path / "strict"),
        "--min-sources",
        "50",
    )
    assert strict.returncode == 0, strict.stderr
    (rejected,) = Ledger(tmp_path / "strict").read().values()
    assert rejected.status == "rejected" and rejected.rejected[0].endswith("sources < 50")
    assert (tmp_path / "strict" / rejected.outputs["md"]).is_file()
    assert "rejected:" in strict.stderr
