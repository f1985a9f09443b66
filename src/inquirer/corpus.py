"""Walk corpus folders, load their notes, and check a corpus for problems.

One bad file never stops the others: every problem becomes a Problem naming the file and line.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from .errors import CorpusError, NoteError
from .notes import decode, fingerprint, parse_text
from .types import Note

NOTE_SUFFIXES = (".md", ".markdown")
Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Problem:
    path: str
    message: str
    line: int | None = None
    severity: Severity = "error"

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.severity}: {self.message}"


@dataclass
class Corpus:
    """The notes found under some roots, keyed by id, and the problems met on the way."""

    roots: tuple[Path, ...]
    notes: dict[str, Note] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    texts: dict[str, str] = field(default_factory=dict)
    bad_paths: set[str] = field(default_factory=set)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]


def resolve_roots(paths: Iterable[Path | str]) -> tuple[Path, ...]:
    roots: list[Path] = []
    for raw in paths:
        path = Path(raw).expanduser()
        if not path.exists():
            raise CorpusError(
                f"corpus path '{raw}' does not exist",
                hint="pass an existing folder of notes, or set corpus_paths in the config",
            )
        roots.append(path.resolve())
    if not roots:
        raise CorpusError("no corpus path given", hint="pass a folder of notes, e.g. 'corpus'")
    return tuple(roots)


def note_files(roots: Sequence[Path]) -> Iterator[Path]:
    """Every note file under the roots, sorted, skipping hidden folders (.git, .obsidian)."""
    seen: set[Path] = set()
    for root in roots:
        if root.is_file():
            candidates: Iterable[Path] = [root]
        else:
            found: list[Path] = []
            for folder, dirs, files in os.walk(root):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                found.extend(Path(folder, f) for f in files if f.lower().endswith(NOTE_SUFFIXES))
            candidates = sorted(found)
        for path in candidates:
            if path.name.lower() == "readme.md" or path in seen:
                continue
            seen.add(path)
            yield path


def parse_file(name: str, data: bytes, max_bytes: int) -> tuple[Note, str] | Problem:
    """Parse one file's bytes into its note and text, or the problem that stops it."""
    try:
        text = decode(name, data, max_bytes=max_bytes)
        return parse_text(name, text, fingerprint(data)), text
    except NoteError as exc:
        return Problem(name, exc.problem, exc.line)


def read_problem(name: str, exc: OSError) -> Problem:
    return Problem(name, f"cannot read file: {exc.strerror}")


def duplicate_problem(note: Note, first_path: str) -> Problem:
    return Problem(note.path, f"duplicate id '{note.id}' (also in {first_path}); skipped", 2)


def load(roots: Sequence[Path], *, max_bytes: int = 1_000_000) -> Corpus:
    """Parse every note under the roots. Later duplicates of an id are reported and skipped."""
    corpus = Corpus(roots=tuple(roots))
    for path in note_files(roots):
        name = str(path)
        try:
            parsed = parse_file(name, path.read_bytes(), max_bytes)
        except OSError as exc:
            parsed = read_problem(name, exc)
        if isinstance(parsed, Problem):
            corpus.problems.append(parsed)
            corpus.bad_paths.add(name)
            continue
        note, text = parsed
        first = corpus.notes.get(note.id)
        if first is not None:
            corpus.problems.append(duplicate_problem(note, first.path))
            corpus.bad_paths.add(name)
            continue
        corpus.notes[note.id] = note
        corpus.texts[note.id] = text
    return corpus


def _line_of(text: str, needle: str) -> int | None:
    for number, line in enumerate(text.splitlines(), start=1):
        if needle in line:
            return number
    return None


def _wiki_line(text: str, target: str) -> int | None:
    for number, line in enumerate(text.splitlines(), start=1):
        if "[[" in line and target in re.sub(r"[^a-z0-9]+", "-", line.lower()):
            return number
    return None


def check(corpus: Corpus, *, strict: bool = False) -> list[Problem]:
    """Cross-note checks on a loaded corpus, added to the problems met while loading.

    Errors: anything that makes a note unusable or a link dangle. Warnings (errors when
    ``strict``): departures from the bundled corpus's rules (CORPUS.md).
    """
    problems = list(corpus.problems)
    style: Severity = "error" if strict else "warning"
    titles: dict[str, Note] = {}
    for note in sorted(corpus.notes.values(), key=lambda n: n.path):
        text = corpus.texts[note.id]
        key = " ".join(note.title.lower().split())
        if key in titles:
            other = titles[key].path
            message = f"duplicate title '{note.title}' (also in {other})"
            problems.append(Problem(note.path, message, _line_of(text, "title:")))
        else:
            titles[key] = note
        for target in note.related:
            if target not in corpus.notes:
                line = _line_of(text, target)
                problems.append(Problem(note.path, f"related note '{target}' does not exist", line))
        for target in note.wiki_links:
            if target not in corpus.notes:
                line = _wiki_line(text, target)
                problems.append(Problem(note.path, f"wiki link [[{target}]] leads nowhere", line))
        problems.extend(_style_problems(note, text, style))
    return problems


def _style_problems(note: Note, text: str, severity: Severity) -> Iterator[Problem]:
    def flag(message: str, line: int | None = 2) -> Problem:
        return Problem(note.path, message, line, severity)

    if not text.startswith("---\n"):
        yield flag("no front matter (id, title, summary, source, related)", 1)
        return
    if not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", note.id):
        yield flag(f"id '{note.id}' is not kebab-case")
    if Path(note.path).stem != note.id:
        yield flag(f"id '{note.id}' differs from the file name '{Path(note.path).name}'")
    if not note.title.endswith("?"):
        yield flag("title is not a question (it should end with '?')", _line_of(text, "title:"))
    if not note.summary:
        yield flag("missing 'summary'")
    if note.source is None or not note.source.title or not note.source.url:
        yield flag("missing 'source' with at least title and url", _line_of(text, "source:"))
    words = len(note.body.split())
    if not 120 <= words <= 300:
        yield flag(f"body has {words} words; notes should have 120-300", None)
    if len(note.links) < 2:
        yield flag(f"links to {len(note.links)} note(s); notes should link to at least 2", None)
