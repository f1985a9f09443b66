"""A questions file for ``inquirer batch``: plain text (one question a line) or JSONL (``id``,
``question``, optional per-question ``options``).

One bad line never stops the rest: each becomes a Problem naming the file and line, and the
good lines are kept. A question asked twice (the same words, whatever the case, spacing or
final punctuation) is kept once; the repeats are listed. Ids are stable: the file's own, or one
made from the question's words, so a resumed batch finds its earlier work whatever the order.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .corpus import Problem
from .errors import InquirerError
from .notes import slugify

ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")
MAX_CHARS = 2000


class QuestionOptions(BaseModel):
    """What one question may set for itself in a JSONL file."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    model: str | None = Field(default=None, description="answering model for this question")
    verify: bool | None = Field(
        default=None, description="run the verifier on this question's line"
    )


class _Row(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str | None = None
    question: str
    options: QuestionOptions = Field(default_factory=lambda: QuestionOptions())


@dataclass(frozen=True)
class Question:
    id: str
    question: str
    line: int  # 1-based line in the questions file
    options: QuestionOptions = field(default_factory=lambda: QuestionOptions())


@dataclass(frozen=True)
class Duplicate:
    line: int
    question: str
    first: Question  # the earlier line it repeats


@dataclass
class QuestionFile:
    path: Path
    questions: list[Question] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    duplicates: list[Duplicate] = field(default_factory=list)


def normalize(question: str) -> str:
    """The words that make two questions the same one."""
    return " ".join(question.casefold().split()).rstrip(" ?.!")


def question_id(question: str) -> str:
    """A readable, stable id: the first words as a slug, then a hash of the whole question."""
    digest = hashlib.sha256(normalize(question).encode()).hexdigest()[:8]
    slug = "-".join(slugify(question).split("-")[:6])[:48].strip("-")
    return f"{slug}-{digest}" if slug else f"q-{digest}"


def load(path: Path) -> QuestionFile:
    """Read a questions file; JSONL when it ends in .jsonl/.ndjson or its first line is an
    object, else one question a line (blank lines and lines starting with # are skipped)."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InquirerError(
            f"questions file '{path}' does not exist",
            hint="pass a text file with one question a line, or a JSONL file",
        ) from None
    except UnicodeDecodeError as exc:
        raise InquirerError(
            f"questions file '{path}' is not UTF-8 text (byte {exc.start})",
            hint="save it as UTF-8",
        ) from None
    except OSError as exc:
        raise InquirerError(f"cannot read questions file '{path}': {exc.strerror}") from None
    lines = text.removeprefix("\ufeff").splitlines()
    first = next((ln.strip() for ln in lines if ln.strip()), "")
    jsonl = path.suffix.lower() in (".jsonl", ".ndjson") or first.startswith("{")
    out = QuestionFile(path)
    seen_text: dict[str, Question] = {}
    seen_ids: dict[str, Question] = {}
    for number, raw in enumerate(lines, start=1):
        stripped = raw.strip()
        if not stripped or (not jsonl and stripped.startswith("#")):
            continue
        try:
            question = _parse_jsonl(stripped, number) if jsonl else _parse_text(stripped, number)
        except ValueError as exc:
            out.problems.append(Problem(str(path), str(exc), number))
            continue
        earlier = seen_text.get(normalize(question.question))
        if earlier is not None:
            out.duplicates.append(Duplicate(number, question.question, earlier))
            continue
        clash = seen_ids.get(question.id)
        if clash is not None:
            out.problems.append(
                Problem(
                    str(path), f"id {question.id!r} is already used on line {clash.line}", number
                )
            )
            continue
        seen_text[normalize(question.question)] = seen_ids[question.id] = question
        out.questions.append(question)
    return out


def _checked_text(question: str) -> str:
    text = " ".join(question.split())
    if not any(ch.isalnum() for ch in text):
        raise ValueError("the question has no words")
    if len(text) > MAX_CHARS:
        raise ValueError(f"the question is {len(text):,} characters long (at most {MAX_CHARS:,})")
    return text


def _parse_text(line: str, number: int) -> Question:
    text = _checked_text(line)
    return Question(question_id(text), text, number)


def _parse_jsonl(line: str, number: int) -> Question:
    try:
        data: Any = json.loads(line)
    except json.JSONDecodeError as exc:
        raise ValueError(f"not valid JSON at column {exc.colno}: {exc.msg}") from None
    if not isinstance(data, dict):
        raise ValueError('each line must be an object such as {"question": "..."}')
    try:
        row = _Row.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'line'}: {e['msg']}" for e in exc.errors()
        )
        raise ValueError(f"not a question record ({problems})") from None
    text = _checked_text(row.question)
    if row.id is not None and not ID.match(row.id):
        raise ValueError(
            f"id {row.id!r} must be letters, digits, '.', '_' or '-' (at most 100), "
            "starting with a letter or digit"
        )
    return Question(row.id or question_id(text), text, number, row.options)
