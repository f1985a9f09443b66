"""Batch logic with a FakeLLM on a real store: the questions file, the ledger, concurrency,
resume, gates, write-back and suggestions. The real CLI in a subprocess is in
test_batch_cli.py; the real local model in test_batch_e2e.py."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

import pytest

from conftest import FakeLLM, fake_retriever, write_note
from inquirer import saved
from inquirer.agent import Budget
from inquirer.batch import Batch, PipelinePool, percentile
from inquirer.config import Settings
from inquirer.errors import InquirerError, LLMError
from inquirer.gates import Gates
from inquirer.ledger import Ledger, Record
from inquirer.notes import read_note
from inquirer.pipeline import Pipeline
from inquirer.questions import QuestionOptions, load, question_id
from inquirer.retrieval import Retriever
from inquirer.services import build_indexer
from inquirer.suggest import Suggester
from inquirer.types import Verdict
from inquirer.writeback import TAG, CorpusWriteBack

QUESTIONS = [
    "Does RLHF hurt the calibration of model probabilities?",
    "Is confidence stated in words better calibrated after RLHF?",
    "Does temperature scaling repair calibration error?",
]


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    root = tmp_path / "corpus"
    write_note(
        root,
        "rlhf-calibration",
        title="Does RLHF hurt model calibration?",
        summary="RLHF raises the calibration error of model probabilities.",
        related=["verbal-confidence"],
        tags=["calibration", "rlhf"],
    )
    write_note(
        root,
        "verbal-confidence",
        title="Is stated confidence better calibrated?",
        summary="Confidence stated in words is better calibrated after RLHF.",
        tags=["calibration"],
    )
    write_note(
        root,
        "temperature-scaling",
        title="Does temperature scaling fix calibration?",
        summary="Temperature scaling repairs most calibration error of a model.",
        tags=["calibration"],
    )
    write_note(
        root,
        "sourdough",
        title="How long should bread dough rise?",
        summary="Dough rises until it doubles.",
        tags=["baking"],
    )
    return root


@pytest.fixture
def retriever(settings: Settings, corpus: Path) -> Retriever:
    made: Retriever = fake_retriever(settings, corpus)
    return made


def pool(retriever: Retriever, llm: FakeLLM | None = None) -> PipelinePool:
    return PipelinePool(
        lambda _options: Pipeline(
            llm or FakeLLM(), retriever, budget=Budget(judge="model", min_similarity=0.5)
        )
    )


def questions_file(tmp_path: Path, lines: list[str], name: str = "q.txt") -> Path:
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


# -- the questions file -------------------------------------------------------------------------


def test_a_text_file_skips_blanks_and_comments_and_asks_a_repeat_once(tmp_path: Path) -> None:
    path = questions_file(
        tmp_path,
        [
            "# reading list",
            QUESTIONS[0],
            "",
            "  does RLHF hurt the CALIBRATION of model probabilities  ",
            QUESTIONS[1],
            "?!",
        ],
    )
    got = load(path)
    assert [q.question for q in got.questions] == QUESTIONS[:2]
    assert [q.line for q in got.questions] == [2, 5]
    assert [(d.line, d.first.line) for d in got.duplicates] == [(4, 2)]
    assert [(p.line, p.message) for p in got.problems] == [(6, "the question has no words")]
    assert got.questions[0].id == question_id(QUESTIONS[0])
    assert got.questions[0].id.startswith("does-rlhf-hurt-the-calibration-of-")


def test_malformed_jsonl_lines_are_reported_with_their_numbers_and_the_rest_kept(
    tmp_path: Path,
) -> None:
    rows = [
        json.dumps({"id": "q1", "question": QUESTIONS[0]}),
        '{"id": "q2", "question": ',  # cut off
        json.dumps({"id": "q3"}),  # no question
        json.dumps({"id": "q4", "question": QUESTIONS[1], "colour": "red"}),
        json.dumps({"id": "bad id!", "question": QUESTIONS[1]}),
        json.dumps({"id": "q1", "question": QUESTIONS[2]}),  # id used already
        json.dumps(["not", "an", "object"]),
        json.dumps({"question": QUESTIONS[2], "options": {"model": "ollama/x", "verify": False}}),
        json.dumps({"id": "q9", "question": QUESTIONS[1], "options": {"temperature": 2}}),
    ]
    got = load(questions_file(tmp_path, rows, "q.jsonl"))
    assert [q.id for q in got.questions] == ["q1", question_id(QUESTIONS[2])]
    assert got.questions[1].options == QuestionOptions(model="ollama/x", verify=False)
    problems = {p.line or 0: p.message for p in got.problems}
    assert sorted(problems) == [2, 3, 4, 5, 6, 7, 9]
    assert "not valid JSON" in problems[2]
    assert "question: Field required" in problems[3]
    assert "colour" in problems[4] and "temperature" in problems[9]
    assert "'bad id!'" in problems[5]
    assert "already used on line 1" in problems[6]
    assert "must be an object" in problems[7]


def test_an_empty_file_has_no_questions_and_a_missing_one_is_named(tmp_path: Path) -> None:
    assert load(questions_file(tmp_path, [""])).questions == []
    with pytest.raises(InquirerError, match="does not exist"):
        load(tmp_path / "nope.txt")
    latin1 = tmp_path / "latin1.txt"
    latin1.write_bytes("Qu'est-ce qu'un caf\xe9 ?".encode("latin-1"))
    with pytest.raises(InquirerError, match="not UTF-8"):
        load(latin1)


# -- the ledger ---------------------------------------------------------------------------------


def test_the_ledger_skips_a_torn_line_and_compacts_to_one_record_per_question(
    tmp_path: Path,
) -> None:
    ledger = Ledger(tmp_path)
    ledger.append(Record(id="a", question="A?", status="failed", error="boom"))
    ledger.append(Record(id="b", question="B?", status="done"))
    with ledger.path.open("a", encoding="utf-8") as handle:
        handle.write('{"id": "c", "question": "C?", "sta')  # a write cut off by a kill
    ledger.append(Record(id="a", question="A?", status="done", attempt=2))
    records = ledger.read()
    assert ledger.torn == 1
    assert {k: (r.status, r.attempt) for k, r in records.items()} == {
        "b": ("done", 1),
        "a": ("done", 2),
    }
    ledger.compact()
    lines = ledger.path.read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["id"] for line in lines] == ["b", "a"]
    assert ledger.read() and ledger.torn == 0


# -- running a batch ----------------------------------------------------------------------------


def test_a_batch_writes_every_line_and_one_ledger_record_each(
    tmp_path: Path, retriever: Retriever
) -> None:
    qfile = load(questions_file(tmp_path, QUESTIONS))
    out = tmp_path / "out"
    heard: list[int] = []
    summary = Batch(out, pool(retriever), concurrency=2).run(
        qfile.questions, on_progress=lambda p, r: heard.append(p.finished) if r else None
    )
    assert summary.count("done") == 3 and heard == [1, 2, 3]
    records = Ledger(out).read()
    assert set(records) == {q.id for q in qfile.questions}
    for question in qfile.questions:
        record = records[question.id]
        assert record.status == "done" and record.question == question.question
        assert record.tokens["calls"] > 0 and record.seconds > 0
        assert record.verification["status"] == "not run"  # the pipeline has no verifier
        data = saved.load(out / record.outputs["json"])
        assert data.question == question.question
        markdown = (out / record.outputs["md"]).read_text(encoding="utf-8")
        assert markdown.startswith("---\n") and "# INQUIRING LINE" in markdown
    assert not list(out.rglob("*.partial"))
    stats = summary.stats()
    assert stats["done"] == 3 and stats["run"]["lines"] == 3
    assert stats["run"]["p95_s"] >= stats["run"]["mean_s"] > 0


def test_lines_are_made_at_once_up_to_the_concurrency(tmp_path: Path, retriever: Retriever) -> None:
    both = threading.Barrier(2, timeout=10)  # breaks unless two lines are in flight together

    class Meeting(Pipeline):
        def ask(self, question: str, on_event: Any = None) -> Any:
            both.wait()
            return super().ask(question, on_event)

    pipelines = PipelinePool(
        lambda _o: Meeting(FakeLLM(), retriever, budget=Budget(judge="model", min_similarity=0.5))
    )
    qfile = load(questions_file(tmp_path, QUESTIONS[:2]))
    summary = Batch(tmp_path / "out", pipelines, concurrency=2).run(qfile.questions)
    assert summary.count("done") == 2, [r.error for r in summary.records]
    assert pipelines.built == 2  # one pipeline per line in flight, never shared


def test_a_failed_question_is_recorded_and_the_others_go_on(
    tmp_path: Path, retriever: Retriever
) -> None:
    class Flaky(Pipeline):
        def ask(self, question: str, on_event: Any = None) -> Any:
            if "temperature" in question:
                raise LLMError("fake/model: Timeout: the model took too long", retryable=True)
            return super().ask(question, on_event)

    pipelines = PipelinePool(
        lambda _o: Flaky(FakeLLM(), retriever, budget=Budget(judge="model", min_similarity=0.5))
    )
    qfile = load(questions_file(tmp_path, QUESTIONS))
    summary = Batch(tmp_path / "out", pipelines).run(qfile.questions)
    failed = [r for r in summary.records if r.status == "failed"]
    assert summary.count("done") == 2 and len(failed) == 1
    assert "Timeout" in failed[0].error and not failed[0].outputs
    assert summary.stats()["failed"] == 1


def test_resume_skips_finished_lines_and_retries_failed_ones(
    tmp_path: Path, retriever: Retriever
) -> None:
    qfile = load(questions_file(tmp_path, QUESTIONS))
    out = tmp_path / "out"
    ledger = Ledger(out)
    first, second, _ = qfile.questions
    ledger.append(Record(id=first.id, question=first.question, status="done", seconds=1.0))
    ledger.append(Record(id=second.id, question=second.question, status="failed", error="x"))
    batch = Batch(out, pool(retriever))
    with pytest.raises(InquirerError, match="already holds a batch") as refused:
        batch.run(qfile.questions)
    assert "--resume" in str(refused.value)
    summary = batch.run(qfile.questions, resume=True)
    assert sorted(r.id for r in summary.ran) == sorted([second.id, qfile.questions[2].id])
    records = Ledger(out).read()
    assert records[first.id].seconds == 1.0  # the earlier line was left as it was
    assert records[second.id].status == "done" and records[second.id].attempt == 2
    assert summary.skipped == 1 and len(out.joinpath("ledger.jsonl").read_text().splitlines()) == 3


def test_a_question_whose_text_changed_is_done_again(tmp_path: Path, retriever: Retriever) -> None:
    out = tmp_path / "out"
    Ledger(out).append(Record(id="q1", question="An older wording?", status="done"))
    path = questions_file(tmp_path, [json.dumps({"id": "q1", "question": QUESTIONS[0]})], "q.jsonl")
    summary = Batch(out, pool(retriever)).run(load(path).questions, resume=True)
    assert [r.id for r in summary.ran] == ["q1"]
    assert Ledger(out).read()["q1"].question == QUESTIONS[0]


def test_lines_below_a_gate_are_kept_and_marked_rejected(
    tmp_path: Path, retriever: Retriever
) -> None:
    qfile = load(questions_file(tmp_path, QUESTIONS[:1]))
    gates = Gates(min_citation_recall=0.8, min_sources=10, require_passed=True)
    summary = Batch(tmp_path / "out", pool(retriever), gates=gates).run(qfile.questions)
    (record,) = summary.records
    assert record.status == "rejected"
    assert any(r.startswith("citation recall unknown") for r in record.rejected)
    assert any(r.endswith("sources < 10") for r in record.rejected)
    assert "verification not run, not passed" in record.rejected
    assert (tmp_path / "out" / record.outputs["json"]).is_file()  # kept, not deleted


def test_gates_read_the_verdict(retriever: Retriever) -> None:
    line = Pipeline(FakeLLM(), retriever, budget=Budget(judge="model", min_similarity=0.5)).ask(
        QUESTIONS[0]
    )
    from dataclasses import replace

    weak = replace(line, verdict=Verdict("failed", citation_recall=0.5, citation_precision=0.9))
    assert Gates(min_citation_recall=0.8).check(weak) == ["citation recall 0.50 < 0.80"]
    assert Gates(min_citation_precision=0.8).check(weak) == []
    assert Gates(require_passed=True).check(weak) == ["verification failed, not passed"]


def test_percentile_is_nearest_rank() -> None:
    values = sorted(float(v) for v in range(1, 21))
    assert percentile(values, 0.95) == 19.0 and percentile(values, 0.5) == 10.0
    assert percentile([3.0], 0.95) == 3.0


# -- write-back ---------------------------------------------------------------------------------


def test_a_verified_line_joins_the_corpus_as_a_generated_note(
    tmp_path: Path, settings: Settings, corpus: Path, retriever: Retriever
) -> None:
    from dataclasses import replace

    line = Pipeline(FakeLLM(), retriever, budget=Budget(judge="model", min_similarity=0.5)).ask(
        QUESTIONS[0]
    )
    line = replace(line, verdict=Verdict("passed", citation_recall=1.0, citation_precision=1.0))
    writer = CorpusWriteBack(corpus / "lines", build_indexer(settings, retriever.embedder))
    path = Path(writer.write(line, "q1"))
    note = read_note(path)
    assert note.id == "line-q1" and note.title == QUESTIONS[0]
    assert TAG in note.tags and "calibration" in note.tags
    assert list(note.related) == [s.note_id for s in line.sources]
    assert set(note.wiki_links) == {c for p in line.body for c in p.cites}
    assert note.summary and not note.summary.startswith("The thing you didn't know")
    found = retriever.read("line-q1")  # indexed: the next question can build on it
    assert found is not None and found.title == QUESTIONS[0]
    with pytest.raises(InquirerError, match="is in the corpus already"):
        writer.write(replace(line, question="Does RLHF hurt model calibration?"), "q2")
    assert not (corpus / "lines" / "line-q2.md").exists()


def test_write_back_in_a_batch_takes_only_passed_lines(
    tmp_path: Path, settings: Settings, corpus: Path, retriever: Retriever
) -> None:
    from dataclasses import replace

    class Judged(Pipeline):
        def ask(self, question: str, on_event: Any = None) -> Any:
            line = super().ask(question, on_event)
            status = "passed" if "RLHF" in question else "failed"
            return replace(line, verdict=Verdict(status, citation_recall=1.0))

    pipelines = PipelinePool(
        lambda _o: Judged(FakeLLM(), retriever, budget=Budget(judge="model", min_similarity=0.5))
    )
    writer = CorpusWriteBack(corpus / "lines", build_indexer(settings, retriever.embedder))
    qfile = load(questions_file(tmp_path, [QUESTIONS[0], QUESTIONS[2]]))
    summary = Batch(tmp_path / "out", pipelines, write_back=writer).run(qfile.questions)
    notes = {r.question: r.note for r in summary.records}
    assert notes[QUESTIONS[0]].endswith(".md") and Path(notes[QUESTIONS[0]]).is_file()
    assert notes[QUESTIONS[2]] == ""
    assert len(list((corpus / "lines").glob("*.md"))) == 1


# -- suggestions --------------------------------------------------------------------------------


def suggester(replies: list[dict[str, str]], retriever: Retriever) -> Suggester:
    # the fake bag-of-words vectors sit lower than a real model's: thresholds to suit them
    return Suggester(FakeLLM({"SuggestedOut": replies}), retriever, neighbour=0.2, answerable=0.3)


def test_a_suggestion_from_a_group_of_unused_notes_is_kept(retriever: Retriever) -> None:
    wanted = "Does the calibration error that RLHF raises yield to temperature scaling?"
    made = suggester([{"question": wanted}], retriever)
    got = made.suggest(3, asked=[], used={"sourdough"})
    assert [s.question for s in got] == [wanted]
    assert got[0].origin == "notes: rlhf-calibration, temperature-scaling"
    (prompt,) = [m for _, m in made.llm.history]  # type: ignore[attr-defined]
    assert "Does RLHF hurt model calibration?" in prompt[1]["content"]
    assert "sourdough" not in str(prompt)  # used notes are not material for new questions


def test_suggestions_are_checked_for_copies_paraphrases_and_repeats(
    retriever: Retriever,
) -> None:
    repeat = "Why would words carry confidence better than token probabilities?"
    got = suggester([{"question": "Does RLHF hurt model calibration?"}], retriever).suggest(
        5,
        asked=["How long should bread dough rise?"],
        used={"sourdough"},
        next_lines=[
            (repeat, "next line of a"),
            ("not a question", "next line of a"),
            ("What do the researcher's notes say about calibration?", "next line of a"),
            (repeat.lower(), "next line of b"),
            ("How long should bread dough rise?", "next line of b"),
            ("Does temperature scaling fix calibration?", "next line of b"),  # a note's title
            ("How does temperature scaling change calibration?", "next line of c"),
        ],
    )
    # the group's question only restated a note's title; the rest: shape, repeats, asked
    assert [s.question for s in got] == [
        repeat,
        "How does temperature scaling change calibration?",
    ]
    assert [s.origin for s in got] == ["next line of a", "next line of c"]
