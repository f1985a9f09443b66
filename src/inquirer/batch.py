"""Many lines from a questions file: concurrent, resumable, ledgered.

Questions run as asyncio tasks, at most ``concurrency`` at once; each line is made in a worker
thread by a pipeline of its own (pipelines are not shared between threads at the same time), so
a remote model gets parallel requests and the local server fills its parallel slots. Each
finished line is written as Markdown and JSON (a temporary file, then a rename) before its
record is appended to the ledger, so a kill loses only the lines in flight and never leaves a
half-written file. A resumed batch skips the questions the ledger says are done or rejected and
retries the failed ones. Lines that fall below a gate are kept, marked rejected, and listed.
"""

from __future__ import annotations

import asyncio
import logging
import math
import statistics
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from .errors import Cancelled, InquirerError
from .gates import Gates
from .ledger import Ledger, Record
from .llm import LLM
from .pipeline import Event, OnEvent
from .questions import Question, QuestionOptions
from .render import render
from .types import Line

log = logging.getLogger(__name__)

LINES_DIR = "lines"


class LineMaker(Protocol):
    """What makes one line: the pipeline, or the eval suite's baseline behind the same face."""

    llm: LLM

    def ask(self, question: str, on_event: OnEvent | None = None) -> Line: ...


class Pipelines(Protocol):
    """Where a worker gets a pipeline for a question's options, and gives it back."""

    def acquire(self, options: QuestionOptions) -> LineMaker: ...

    def release(self, options: QuestionOptions, pipeline: LineMaker) -> None: ...


class PipelinePool:
    """Pipelines built on demand, one per line in flight, reused once given back."""

    def __init__(self, build: Callable[[QuestionOptions], LineMaker]) -> None:
        self.build = build
        self._free: dict[QuestionOptions, list[LineMaker]] = {}
        self._lock = threading.Lock()
        self.built = 0

    def acquire(self, options: QuestionOptions) -> LineMaker:
        with self._lock:
            free = self._free.get(options)
            if free:
                return free.pop()
            self.built += 1
        return self.build(options)

    def release(self, options: QuestionOptions, pipeline: LineMaker) -> None:
        with self._lock:
            self._free.setdefault(options, []).append(pipeline)


class WriteBack(Protocol):
    """Turns a verified line into a corpus note and brings the index in step."""

    def write(self, line: Line, line_id: str) -> str: ...


@dataclass
class Progress:
    """What the caller hears as the batch goes: a line finished, or a step of one in flight."""

    total: int  # questions this run has to do
    finished: int = 0
    in_flight: dict[str, str] = field(default_factory=dict)  # question id -> its latest step


OnProgress = Callable[[Progress, Record | None], None]


@dataclass
class Summary:
    """The batch at its end: every question of the file, with this run's share."""

    records: list[Record]  # the newest record of each question in the file, in file order
    ran: list[Record]  # the records this run wrote
    skipped: int  # finished before this run (resume)
    seconds: float  # this run's wall time
    concurrency: int
    interrupted: bool = False

    def count(self, status: str) -> int:
        return sum(1 for r in self.records if r.status == status)

    def stats(self) -> dict[str, Any]:
        """The figures of the summary table (and of summary.json)."""
        made = [r for r in self.ran if r.finished_ok]
        times = sorted(r.seconds for r in made)
        finished = [r for r in self.records if r.finished_ok]
        verdicts = [r.verification for r in finished]
        sentences = sum(int(v.get("sentences") or 0) for v in verdicts)

        def mean(values: list[float]) -> float | None:
            return round(statistics.fmean(values), 3) if values else None

        def tokens(key: str) -> int:
            return sum(int(r.tokens.get(key, 0)) for r in self.ran)

        return {
            "questions": len(self.records),
            "done": self.count("done"),
            "rejected": self.count("rejected"),
            "failed": self.count("failed"),
            "skipped": self.skipped,
            "interrupted": self.interrupted,
            "concurrency": self.concurrency,
            "run": {
                "lines": len(made),
                "failed": sum(1 for r in self.ran if r.status == "failed"),
                "seconds": round(self.seconds, 3),
                "lines_per_minute": round(60 * len(made) / self.seconds, 3)
                if self.seconds > 0
                else None,
                "mean_s": mean(times),
                "p95_s": round(percentile(times, 0.95), 3) if times else None,
                "prompt_tokens": tokens("prompt_tokens"),
                "completion_tokens": tokens("completion_tokens"),
                "calls": tokens("calls"),
            },
            "verification": {
                "passed": sum(1 for v in verdicts if v.get("status") == "passed"),
                "failed": sum(1 for v in verdicts if v.get("status") == "failed"),
                "not_run": sum(1 for v in verdicts if v.get("status") == "not run"),
                "citation_recall": mean(
                    [v["citation_recall"] for v in verdicts if v.get("citation_recall") is not None]
                ),
                "citation_precision": mean(
                    [
                        v["citation_precision"]
                        for v in verdicts
                        if v.get("citation_precision") is not None
                    ]
                ),
                "supported_share": round(
                    sum(int(v.get("supported") or 0) for v in verdicts) / sentences, 3
                )
                if sentences
                else None,
                "revised": sum(int(v.get("revised") or 0) for v in verdicts),
            },
        }


def percentile(sorted_values: Sequence[float], share: float) -> float:
    """The nearest-rank percentile of values already sorted."""
    rank = max(1, math.ceil(share * len(sorted_values)))
    return sorted_values[rank - 1]


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class Batch:
    def __init__(
        self,
        out: Path,
        pipelines: Pipelines,
        *,
        concurrency: int = 1,
        gates: Gates | None = None,
        write_back: WriteBack | None = None,
        obsidian: bool = False,
    ) -> None:
        if concurrency < 1:
            raise InquirerError("--concurrency must be 1 or more")
        self.out = out
        self.pipelines = pipelines
        self.concurrency = concurrency
        self.gates = gates or Gates()
        self.write_back = write_back
        self.obsidian = obsidian
        self.ledger = Ledger(out)
        self._stop = threading.Event()
        self._writing = threading.Lock()
        self.summary: Summary | None = None  # the last run's, kept when it is interrupted

    def pending(self, questions: Sequence[Question], *, resume: bool) -> list[Question]:
        """The questions this run must do; refuses to start over a ledger without ``resume``."""
        if self.ledger.exists() and not resume:
            count = len(self.ledger.read())
            raise InquirerError(
                f"{self.out} already holds a batch ({count} questions in {self.ledger.path.name})",
                hint="add --resume to continue it (finished lines are kept, failed ones retried), "
                "or choose another --out folder",
            )
        earlier = self.ledger.compact()
        for partial in (self.out / LINES_DIR).glob(".*.partial"):
            partial.unlink()  # a file a kill caught half-written: its line is made again
        return self.remaining(questions, earlier)

    def remaining(
        self, questions: Sequence[Question], records: dict[str, Record] | None = None
    ) -> list[Question]:
        """The questions whose line is not finished (``records``: the ledger, read if not
        given); reads only, unlike ``pending``."""
        earlier = self.ledger.read() if records is None else records
        return [
            q
            for q in questions
            if not (
                (r := earlier.get(q.id)) is not None and r.finished_ok and r.question == q.question
            )
        ]

    def run(
        self,
        questions: Sequence[Question],
        *,
        resume: bool = False,
        on_progress: OnProgress | None = None,
    ) -> Summary:
        todo = self.pending(questions, resume=resume)
        self._stop.clear()
        start = time.perf_counter()
        ran: list[Record] = []
        interrupted = False
        try:
            asyncio.run(self._run(todo, ran, on_progress or (lambda _p, _r: None)))
        except KeyboardInterrupt:
            interrupted = True
            raise
        finally:
            self._stop.set()  # lines still in flight stop at their next step
            records = self.ledger.compact()
            self.summary = Summary(
                records=[records[q.id] for q in questions if q.id in records],
                ran=ran,
                skipped=len(questions) - len(todo),
                seconds=time.perf_counter() - start,
                concurrency=self.concurrency,
                interrupted=interrupted,
            )
        return self.summary

    async def _run(self, todo: list[Question], ran: list[Record], on_progress: OnProgress) -> None:
        earlier = self.ledger.read()
        progress = Progress(total=len(todo))
        on_progress(progress, None)
        slots = asyncio.Semaphore(self.concurrency)
        loop = asyncio.get_running_loop()
        executor = ThreadPoolExecutor(self.concurrency + 1, thread_name_prefix="batch")

        def heard(question: Question, event: Event) -> None:
            if self._stop.is_set():
                raise Cancelled()
            if event.kind != "token":
                message = event.message[:100]
                loop.call_soon_threadsafe(self._step, progress, question.id, message, on_progress)

        async def one(question: Question) -> None:
            async with slots:
                if self._stop.is_set():
                    return
                progress.in_flight[question.id] = "starting"
                previous = earlier.get(question.id)
                attempt = previous.attempt + 1 if previous and previous.status == "failed" else 1
                record = await loop.run_in_executor(
                    executor, self._make, question, attempt, lambda e: heard(question, e)
                )
                self.ledger.append(record)
                ran.append(record)
                progress.in_flight.pop(question.id, None)
                progress.finished += 1
                on_progress(progress, record)

        try:
            await asyncio.gather(*(one(q) for q in todo))
        finally:
            self._stop.set()
            executor.shutdown(wait=False, cancel_futures=True)

    @staticmethod
    def _step(progress: Progress, qid: str, message: str, on_progress: OnProgress) -> None:
        if qid in progress.in_flight:
            progress.in_flight[qid] = message
            on_progress(progress, None)

    def _make(self, question: Question, attempt: int, on_event: Callable[[Event], None]) -> Record:
        """One question's line, written out; or the failure, recorded."""
        clock = time.perf_counter()
        base: dict[str, Any] = {
            "id": question.id,
            "question": question.question,
            "line": question.line,
            "attempt": attempt,
            "started": now(),
        }
        model = question.options.model or ""
        try:
            pipeline = self.pipelines.acquire(question.options)
            model = pipeline.llm.model
            try:
                line = pipeline.ask(question.question, on_event)
            finally:
                self.pipelines.release(question.options, pipeline)
        except InquirerError as exc:
            error = str(exc)
        except Exception as exc:  # a bug in one line must not cost the batch the others
            log.exception("question %s failed unexpectedly", question.id)
            error = f"unexpected {type(exc).__name__}: {exc}"
        else:
            return self._finished(question, line, base, clock)
        seconds = round(time.perf_counter() - clock, 3)
        return Record(
            **base, status="failed", model=model, finished=now(), seconds=seconds, error=error
        )

    def _finished(
        self, question: Question, line: Line, base: dict[str, Any], clock: float
    ) -> Record:
        outputs = self._write_outputs(question.id, line)
        rejected = self.gates.check(line)
        note = self._write_back(line, question.id) if self.write_back and not rejected else ""
        return Record(
            **base,
            status="rejected" if rejected else "done",
            model=line.model,
            finished=now(),
            seconds=round(time.perf_counter() - clock, 3),
            timings=line.timings,
            tokens=line.usage,
            verification=verification_summary(line),
            outputs=outputs,
            rejected=rejected,
            note=note,
        )

    def _write_outputs(self, qid: str, line: Line) -> dict[str, str]:
        from .console import write_atomic

        outputs = {}
        for form, suffix in (("json", "json"), ("md", "md")):
            relative = f"{LINES_DIR}/{qid}.{suffix}"
            write_atomic(self.out / relative, render(line, form, obsidian=self.obsidian))
            outputs[form] = relative
        return outputs

    def _write_back(self, line: Line, qid: str) -> str:
        """Add a verified line to the corpus as a note, one at a time; the note's path, or
        why it was not written (the line itself stays done)."""
        assert self.write_back is not None
        if line.verdict is None or line.verdict.status != "passed":
            return ""
        try:
            with self._writing:
                return self.write_back.write(line, qid)
        except InquirerError as exc:
            log.warning("line %s not written back: %s", qid, exc.message)
            return f"not written back: {exc.message}"


def verification_summary(line: Line) -> dict[str, Any]:
    """The verdict in the few numbers a ledger record and the summary table need."""
    verdict = line.verdict
    if verdict is None:
        return {"status": "not run"}
    return {
        "status": verdict.status,
        "summary": verdict.describe(),
        "citation_recall": verdict.citation_recall,
        "citation_precision": verdict.citation_precision,
        "sentences": len(verdict.sentences),
        "supported": verdict.count("supported"),
        "partial": verdict.count("partial"),
        "unsupported": verdict.count("unsupported"),
        "revised": len(verdict.changes),
    }
