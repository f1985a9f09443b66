"""A saved line read back from its JSON form (render.to_json), for ``inquirer verify``: the
file is checked field by field, so that a malformed one gets a message naming what is wrong,
and the line is rebuilt over the notes as the corpus holds them now."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .errors import InquirerError
from .types import Evidence, Line, Note, Paragraph, ReadNote, Sentence, SourceEntry


class _Loose(BaseModel):
    model_config = ConfigDict(extra="ignore")


class SentenceFile(_Loose):
    text: str
    cites: list[str]


class ParagraphFile(_Loose):
    sentences: list[SentenceFile]


class SourceFile(_Loose):
    id: str
    title: str
    summary: str


class ReadFile(_Loose):
    id: str
    version: str = ""  # the note's fingerprint when the line was written (older files: none)
    relevant: bool = True
    reason: str = ""


class LineFile(_Loose):
    question: str
    framing: str
    body: list[ParagraphFile]
    insight: str
    sources: list[SourceFile]
    next_lines: list[str]
    model: str = ""
    created: str = ""
    answered: bool = True
    read: list[ReadFile] = Field(default_factory=list)


@dataclass(frozen=True)
class Rot:
    """A cited note whose content changed since the line was written."""

    note_id: str
    then: str
    now: str


def load(path: Path) -> LineFile:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InquirerError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InquirerError(f"{path}: cannot read it: {exc}") from None
    except json.JSONDecodeError as exc:
        raise InquirerError(
            f"{path}: not JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})",
            hint="verify reads the JSON form of a line: inquirer ask --format json --out FILE",
        ) from None
    try:
        return LineFile.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'the file'}: {e['msg']}"
            for e in exc.errors()[:5]
        )
        raise InquirerError(
            f"{path}: not a saved inquiring line ({problems})",
            hint="verify reads the JSON form of a line: inquirer ask --format json --out FILE",
        ) from None


def cited(saved: LineFile) -> list[str]:
    return list(dict.fromkeys(c for p in saved.body for s in p.sentences for c in s.cites))


def rebuild(saved: LineFile, notes: Mapping[str, Note]) -> Line:
    """The saved line over ``notes`` (the notes as the corpus holds them now)."""
    read = tuple(
        ReadNote(notes[r.id], r.relevant, r.reason, rank)
        for rank, r in enumerate(saved.read, start=1)
        if r.id in notes
    )
    return Line(
        question=saved.question,
        framing=saved.framing,
        body=tuple(
            Paragraph(tuple(Sentence(s.text, tuple(s.cites)) for s in p.sentences))
            for p in saved.body
        ),
        insight=saved.insight,
        sources=tuple(SourceEntry(s.id, s.title, s.summary) for s in saved.sources),
        next_lines=tuple(saved.next_lines),
        answered=saved.answered,
        model=saved.model,
        created=saved.created,
        evidence=Evidence(saved.question, read, ()),
    )


def rot(saved: LineFile, notes: Mapping[str, Note]) -> tuple[list[Rot], list[str]]:
    """Cited notes whose content changed since the line was written, and cited notes whose
    version the file does not record (lines saved by older versions)."""
    versions = {r.id: r.version for r in saved.read}
    changed, unknown = [], []
    for note_id in cited(saved):
        then = versions.get(note_id, "")
        if note_id not in notes:
            continue
        if not then:
            unknown.append(note_id)
        elif then != notes[note_id].fingerprint:
            changed.append(Rot(note_id, then, notes[note_id].fingerprint))
    return changed, unknown
