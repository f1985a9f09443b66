"""A note's YAML front matter: loaded within limits, and each field checked for type and range.

Front matter comes from anywhere (a shared vault, a cloned repository), so nothing in it is
trusted to be small or well formed. It is refused past a size and refused if it uses anchors
or aliases, and every field a Note keeps is checked here, at parse time, so that nothing
reaches the store, or the SQLite table beside it, that they would refuse. Each refusal is a
NoteError naming the field, the line where it is found, and the fix.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

import yaml

from .errors import NoteError
from .types import Source

MAX_CHARS = 64 * 1024
"""Longer front matter is refused: a note's takes about 1 KB, and long text belongs in the body."""

MAX_ID_CHARS = 255
"""The longest file name most file systems allow: an id may be taken from one."""

MIN_YEAR, MAX_YEAR = 1000, 2100
"""The years a source may carry. Narrow enough to catch a slip (20224) and to fit SQLite's
INTEGER; a work older than 1000 takes the year of the edition the note was written from."""

# the C loader is ~10x faster where libyaml is present
_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load(path: str, raw: str) -> dict[str, Any]:
    """The mapping that ``raw`` (the text between the '---' lines) holds."""
    if len(raw) > MAX_CHARS:
        raise NoteError(
            path,
            f"front matter is {len(raw):,} characters, over the {MAX_CHARS:,}-character limit; "
            "move long text into the body",
            line=1,
        )
    try:
        _refuse_anchors(path, raw)
        meta = yaml.load(raw, Loader=_Loader)  # a safe loader, C or Python
    except yaml.YAMLError as exc:
        raise _yaml_problem(path, exc) from None
    except (ValueError, OverflowError) as exc:  # a value YAML reads but Python cannot hold
        raise NoteError(
            path, f"malformed front matter: {exc}; put the value in quotes", line=1
        ) from None
    if meta is None:
        return {}
    if not isinstance(meta, dict):
        raise NoteError(path, "front matter must be a mapping of keys to values", line=2)
    return meta


def _refuse_anchors(path: str, raw: str) -> None:
    """Refuse anchors and aliases (``&name``, ``*name``) before the YAML is built.

    An alias names a value instead of repeating it, so a few lines of aliases nested a few deep
    stand for billions of values (the "billion laughs"), and whatever walks the value (a check,
    str(), the store) runs out of memory. Notes have no need for them, so rather than count
    what an alias would expand to, any is refused. The parser's events cost no more than the
    text they come from.
    """
    for event in yaml.parse(raw, Loader=_Loader):
        if not isinstance(event, yaml.NodeEvent) or event.anchor is None:
            continue
        alias = isinstance(event, yaml.AliasEvent)
        kind, name = ("alias", f"*{event.anchor}") if alias else ("anchor", f"&{event.anchor}")
        mark = event.start_mark
        raise NoteError(
            path,
            f"front matter uses the YAML {kind} '{name}'; notes may not use anchors or "
            "aliases: write the value out in full",
            line=mark.line + 2 if mark is not None else 1,
        )


def _yaml_problem(path: str, exc: yaml.YAMLError) -> NoteError:
    """The parser's own account of malformed YAML, with the line in the note's file."""
    mark = getattr(exc, "problem_mark", None)
    line = mark.line + 2 if mark is not None else 1
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    context, start = getattr(exc, "context", None), getattr(exc, "context_mark", None)
    if context and start is not None and start.line + 2 != line:
        problem = f"{problem} ({context} that starts on line {start.line + 2})"
    return NoteError(path, f"malformed front matter: {problem}", line=line)


def control_character(text: str, allowed: str = "") -> str | None:
    """The first control character (or line or paragraph separator) in ``text`` that is not
    ``allowed``: what would break a line of output, a terminal, or an id."""
    for char in text:
        if char not in allowed and unicodedata.category(char) in ("Cc", "Zl", "Zp"):
            return char
    return None


def check_id(path: str, note_id: str, line: int | None = None) -> str:
    """``note_id``, if it can name a note: one line of printable text of a sane length."""
    if not note_id:
        raise NoteError(path, "empty 'id'; give the note an id or a file name", line=line)
    if len(note_id) > MAX_ID_CHARS:
        raise NoteError(
            path,
            f"'id' is {len(note_id):,} characters long; an id has at most {MAX_ID_CHARS}",
            line=line,
        )
    bad = control_character(note_id)
    if bad is not None:
        raise NoteError(
            path,
            f"'id' contains the control character U+{ord(bad):04X}; an id is one line of "
            "printable text, such as my-note",
            line=line,
        )
    return note_id


def _kind(value: object) -> str:
    """What a YAML value is, in the words a note's author would use."""
    if isinstance(value, str):
        return "text"
    if isinstance(value, bool):
        return f"{str(value).lower()} (a yes/no value)"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, datetime.date):
        return "a date"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, bytes):
        return "binary data"
    return f"a YAML {type(value).__name__}"


def _shown(value: object, limit: int = 40) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass(frozen=True)
class FrontMatter:
    """A note's front matter: its file, the raw text (for lines) and the loaded mapping."""

    path: str
    raw: str
    data: dict[str, Any]

    def line(self, key: str) -> int | None:
        """The file line on which ``key`` is set (``source.year``: year, after source)."""
        start = end = 0
        for depth, part in enumerate(key.split(".")):
            where = "^" if depth == 0 else r"(?<![\w-])"  # a top-level key opens its line
            found = re.compile(rf"{where}{re.escape(part)}[ \t]*+:", re.MULTILINE).search(
                self.raw, end
            )
            if found is None:
                return None
            start, end = found.span()
        return self.raw.count("\n", 0, start) + 2  # the front matter opens on line 2

    def problem(self, key: str, message: str) -> NoteError:
        return NoteError(self.path, message, line=self.line(key))

    def text(self, key: str, *, one_line: bool = False) -> str | None:
        """The text field ``key``, stripped, or None when it is absent."""
        return self.as_text(key, self.data.get(key), one_line=one_line)

    def as_text(self, key: str, value: Any, *, one_line: bool = False) -> str | None:
        """``value`` (of the field ``key``) as text, stripped, or None when it is absent. A
        whole number is taken as its digits; a value of another kind is refused, not made text
        with str(), which would make a title of a list and an id of ``false``."""
        if value is None:
            return None
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str):
            fix = "put it in quotes" if not isinstance(value, list | dict) else "write it as text"
            raise self.problem(key, f"'{key}' must be text, not {_kind(value)}; {fix}")
        bad = control_character(value, "" if one_line else "\t\n")
        if bad is not None:
            raise self.problem(
                key, f"'{key}' contains the control character U+{ord(bad):04X}; remove it"
            )
        return value.strip()

    def note_id(self, fallback: str) -> str:
        """The 'id' field, or ``fallback`` (the file name's) when it is absent or empty."""
        return check_id(self.path, self.text("id", one_line=True) or fallback, self.line("id"))

    def strings(self, key: str) -> tuple[str, ...]:
        """A list of strings, given as a YAML list or as one string of comma- or space-separated
        words; a whole number is taken as its digits."""
        value = self.data.get(key)
        if value is None:
            return ()
        if isinstance(value, str):
            value = [v for v in re.split(r"[,\s]+", value) if v]
        if not isinstance(value, list):
            raise self.problem(key, f"'{key}' must be a list of strings, such as [one, two]")
        items = (self.as_text(key, item, one_line=True) for item in value)
        return tuple(item for item in items if item)

    def source(self) -> Source | None:
        """The work the note rests on: a mapping (title, authors, year, url) or a title."""
        raw = self.data.get("source")
        if raw is None:
            return None
        if not isinstance(raw, dict):
            if isinstance(raw, list):
                raise self.problem(
                    "source", "'source' must be a mapping (title, authors, year, url) or a title"
                )
            return Source(title=self.text("source") or "")
        return Source(
            title=self.as_text("source.title", raw.get("title")) or "",
            authors=self._authors(raw.get("authors")),
            year=self._year(raw.get("year")),
            url=self.as_text("source.url", raw.get("url"), one_line=True) or "",
        )

    def _authors(self, value: Any) -> str:
        if isinstance(value, list):
            names = (self.as_text("source.authors", name) for name in value)
            return ", ".join(name for name in names if name)
        return self.as_text("source.authors", value) or ""

    def _year(self, value: Any) -> int | None:
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.problem(
                "source.year",
                f"'source.year' must be a year, a whole number such as 2024, not "
                f"{_kind(value)} ({_shown(value)})",
            )
        if not MIN_YEAR <= value <= MAX_YEAR:
            raise self.problem(
                "source.year",
                f"'source.year' is {_shown(value)}, not a year from {MIN_YEAR} to {MAX_YEAR}; "
                "give the year the work was published",
            )
        return value
