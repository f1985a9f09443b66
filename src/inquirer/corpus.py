"""Walk corpus folders, load their notes, and check a corpus for problems.

One bad file never stops the others: every problem becomes a Problem naming the file and line.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Container, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from .errors import CorpusError, EmptyNoteError, NoteError
from .notes import (
    MAX_BYTES,
    WIKI_LINK,
    decode,
    fingerprint,
    not_regular,
    parse_text,
    read_bytes,
    slugify,
)
from .types import Note

NOTE_SUFFIXES = (".md", ".markdown")
YAML_WORD = re.compile(r"[^\s,\[\]{}'\"]++")
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


@dataclass(frozen=True)
class NoteFiles:
    """What a walk of the corpus found: the note files to read, in order, and the files and
    folders it did not read, each with why."""

    paths: list[Path]
    skipped: list[Problem]


@dataclass(frozen=True)
class _Found:
    path: Path
    key: tuple[int, int]  # device and inode: one file, however many paths lead to it
    linked: bool  # reached through a symlink, to the file or to a folder above it


class _Walker:
    """One walk over the roots. Symlinks are followed where they lead to a file inside a root,
    and outside the roots only when ``follow_outside`` allows it; every one not followed is
    reported, so that no note goes missing without a word."""

    def __init__(self, roots: Sequence[Path], follow_outside: bool) -> None:
        self.inside = tuple(root.resolve() for root in roots)
        self.follow_outside = follow_outside
        self.found: list[_Found] = []
        self.skipped: list[Problem] = []
        self.tops: set[Path] = set()  # real folders a walk began at, so that a loop of links ends

    def walk(self, root: Path) -> None:
        """Find the notes under one root (or the root itself, a file), sorted by path."""
        first = len(self.found)
        if root.is_dir():
            self._folder(root, linked=False)
        elif root.name.lower() != "readme.md":
            self._file(root, linked=False)
        self.found[first:] = sorted(self.found[first:], key=lambda found: found.path)

    def _folder(self, top: Path, *, linked: bool) -> None:
        real = top.resolve()
        if real in self.tops:
            return
        self.tops.add(real)
        for folder, dirs, files in os.walk(top, onerror=self._unreadable):
            here = Path(folder)
            visible = (d for d in sorted(dirs) if not d.startswith("."))
            dirs[:] = [d for d in visible if self._descend(here / d)]
            for name in sorted(files):
                if name.lower().endswith(NOTE_SUFFIXES) and name.lower() != "readme.md":
                    self._file(here / name, linked=linked)

    def _descend(self, folder: Path) -> bool:
        """Whether the walk goes on into ``folder``. os.walk lists a symlink to a folder but
        never enters it: such a link is weighed here, and walked on its own if it may be."""
        if not folder.is_symlink():
            return True
        if self._target(folder, "folder") is not None:
            self._folder(folder, linked=True)
        return False

    def _file(self, path: Path, *, linked: bool) -> None:
        if path.is_symlink():
            if self._target(path, "file") is None:
                return
            linked = True
        try:
            info = os.stat(path)
        except OSError as exc:
            self.skipped.append(Problem(str(path), f"cannot read file: {exc.strerror}"))
            return
        error = not_regular(str(path), info.st_mode)
        if error is not None:
            self.skipped.append(Problem(str(path), error.problem))
            return
        self.found.append(_Found(path, (info.st_dev, info.st_ino), linked))

    def _target(self, link: Path, kind: str) -> Path | None:
        """Where ``link`` leads, if the walk may follow it there; else None, reported with why.
        A link to a folder inside the corpus is not followed: its notes are read where they
        are."""
        try:
            target = link.resolve(strict=True)
        except (OSError, RuntimeError):  # it leads nowhere, or round a loop of links
            self.skipped.append(Problem(str(link), "broken symlink (it leads nowhere); skipped"))
            return None
        if any(target == root or root in target.parents for root in self.inside):
            if kind == "file":
                return target
            why = f"symlink to a folder inside the corpus ({target}); skipped: its notes are "
            self.skipped.append(Problem(str(link), why + "read where they are", None, "warning"))
            return None
        if not self.follow_outside:
            why = f"symlink to a {kind} outside the corpus ({target}); skipped "
            fix = "(set follow_outside_links to read it)"
            self.skipped.append(Problem(str(link), why + fix, None, "warning"))
            return None
        return target

    def _unreadable(self, exc: OSError) -> None:
        name = str(exc.filename)
        self.skipped.append(Problem(name, f"cannot read folder: {exc.strerror}; skipped"))

    def result(self) -> NoteFiles:
        """Each file found once: by its own path where the walk met one, else by the shortest
        way through links. Any other path to a file already read is reported."""
        owners: dict[tuple[int, int], Path] = {}
        for found in sorted(self.found, key=lambda found: (found.linked, len(found.path.parts))):
            owners.setdefault(found.key, found.path)
        paths: dict[Path, None] = {}
        skipped = list(self.skipped)
        for found in self.found:
            owner = owners[found.key]
            if found.path != owner:
                why = f"the same file as {owner}, which is read; skipped"
                skipped.append(Problem(str(found.path), why, None, "warning"))
            else:
                paths.setdefault(owner, None)
        return NoteFiles(list(paths), skipped)


def note_files(roots: Sequence[Path], *, follow_outside_links: bool = False) -> NoteFiles:
    """Every note file under the roots, each once, sorted within each root; hidden folders
    (.git, .obsidian) and README.md files are left out. Symlinks are followed to files inside
    the roots, and out of them only with ``follow_outside_links``; every file or folder
    skipped for another reason than being hidden is in ``skipped``."""
    walker = _Walker(roots, follow_outside_links)
    for root in roots:
        walker.walk(root)
    return walker.result()


def read_file(path: Path, max_bytes: int) -> bytes | Problem:
    """One note file's bytes, or the problem that stops them being read."""
    try:
        return read_bytes(path, max_bytes=max_bytes)
    except NoteError as exc:
        return Problem(exc.path, exc.problem, exc.line)


def parse_file(name: str, data: bytes, max_bytes: int) -> tuple[Note, str] | Problem:
    """Parse one file's bytes into its note and text, or the problem that stops it. An empty
    file is only a warning: nothing in it is wrong, there is just no note to index."""
    try:
        text = decode(name, data, max_bytes=max_bytes)
        return parse_text(name, text, fingerprint(data)), text
    except NoteError as exc:
        severity: Severity = "warning" if isinstance(exc, EmptyNoteError) else "error"
        return Problem(name, exc.problem, exc.line, severity)


def duplicate_problem(note: Note, first_path: str) -> Problem:
    return Problem(note.path, f"duplicate id '{note.id}' (also in {first_path}); skipped", 2)


def load(
    roots: Sequence[Path], *, max_bytes: int = MAX_BYTES, follow_outside_links: bool = False
) -> Corpus:
    """Parse every note under the roots. Later duplicates of an id are reported and skipped."""
    corpus = Corpus(roots=tuple(roots))
    files = note_files(roots, follow_outside_links=follow_outside_links)
    corpus.problems.extend(files.skipped)
    for path in files.paths:
        name = str(path)
        data = read_file(path, max_bytes)
        parsed = data if isinstance(data, Problem) else parse_file(name, data, max_bytes)
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


def _first_lines(text: str, items: Callable[[str], Iterable[str]]) -> dict[str, int]:
    """The first line on which each item that ``items`` finds in a line of ``text`` stands.
    One pass, so that a note with thousands of dangling links costs one reading, not one per
    link."""
    lines: dict[str, int] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        for item in items(line):
            lines.setdefault(item, number)
    return lines


def _words(line: str) -> list[str]:
    """The words of a line of YAML: what a list of ids (flow or block) is made of."""
    return YAML_WORD.findall(line)


def _link_targets(line: str) -> list[str]:
    return [slugify(m.group(1)) for m in WIKI_LINK.finditer(line)] if "[[" in line else []


def _dangling(note: Note, text: str, ids: Container[str]) -> Iterator[Problem]:
    """A problem for each related id and wiki link of ``note`` that no note in ``ids`` has."""
    related = [target for target in note.related if target not in ids]
    if related:
        lines = _first_lines(text, _words)
        for target in related:
            message = f"related note '{target}' does not exist"
            yield Problem(note.path, message, lines.get(target))
    links = [target for target in note.wiki_links if target not in ids]
    if links:
        lines = _first_lines(text, _link_targets)
        for target in links:
            yield Problem(note.path, f"wiki link [[{target}]] leads nowhere", lines.get(target))


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
        problems.extend(_dangling(note, text, corpus.notes))
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
