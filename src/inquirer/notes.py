"""Parse note files into Notes: YAML front matter as CORPUS.md describes, or plain Markdown.

Pure: no I/O beyond reading the one file asked for. Problems are raised as NoteError with the
file and, where known, the line.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from pathlib import Path
from typing import Any

import yaml

from .errors import NoteError
from .types import Note, Source

# Every pattern below sees note text, so each must run in time linear in its length. Two
# rules keep them so. No part of a wiki link may hold '[': else each '[' of a long run starts a
# scan to the end of its line (quadratic). No two neighbouring repeats may match the same
# characters: else a heading padded with spaces is tried at every split of them (cubic).
# Repeats are possessive (``++``, ``*+``: they give nothing back) wherever that changes no
# match, so that the engine has nothing to backtrack into.
WIKI_LINK = re.compile(r"\[\[([^\[\]|#\n]++)(?:#[^\[\]|\n]*+)?(?:\|[^\[\]\n]*+)?\]\]")
HASHTAG = re.compile(r"(?<![\w/#&])#([A-Za-z][\w\-/]*+)")
HEADING = re.compile(r"^#[ \t]++(\S[^\n]*+)", re.MULTILINE)
FRONT_MATTER_END = re.compile(r"^(?:---|\.\.\.)[ \t]*+$", re.MULTILINE)
FENCE = re.compile(r"^(```|~~~).*?^\1", re.MULTILINE | re.DOTALL)
INLINE_CODE = re.compile(r"`[^`\n]*+`")

# the C loader is ~10x faster where libyaml is present
_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def fingerprint(data: bytes) -> str:
    """The content hash that names a version of a note everywhere (store, citations)."""
    return hashlib.sha256(data).hexdigest()


def slugify(text: str) -> str:
    """A kebab-case id from a file name or a wiki-link target: ``My Note`` -> ``my-note``."""
    norm = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", norm.lower()).strip("-")


def decode(path: str, data: bytes, *, max_bytes: int) -> str:
    """Bytes to text, refusing oversized, binary and non-UTF-8 files with a precise message."""
    if len(data) > max_bytes:
        raise NoteError(path, f"file is {len(data):,} bytes, over the {max_bytes:,}-byte limit")
    if b"\x00" in data:
        raise NoteError(path, "binary file (contains NUL bytes), not a Markdown note")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise NoteError(
            path, f"not valid UTF-8 (byte {exc.start}); re-save the file as UTF-8", line=line
        ) from None
    return text.removeprefix("\ufeff").replace("\r\n", "\n")


def split_front_matter(path: str, text: str) -> tuple[dict[str, Any] | None, str, int]:
    """Return (front matter or None, body, the 1-based line on which the body starts)."""
    if not text.startswith("---\n"):
        return None, text, 1
    end = FRONT_MATTER_END.search(text, 4)
    if end is None:
        raise NoteError(path, "front matter opened with '---' is never closed", line=1)
    raw = text[4 : end.start()]
    try:
        meta = yaml.load(raw, Loader=_Loader)  # a safe loader, C or Python
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 2 if mark is not None else 1
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        context, start = getattr(exc, "context", None), getattr(exc, "context_mark", None)
        if context and start is not None and start.line + 2 != line:
            problem = f"{problem} ({context} that starts on line {start.line + 2})"
        raise NoteError(path, f"malformed front matter: {problem}", line=line) from None
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        raise NoteError(path, "front matter must be a mapping of keys to values", line=2)
    body_start = end.end()
    body_line = text[:body_start].count("\n") + 2
    return meta, text[body_start:].lstrip("\n"), body_line


def heading_text(line: str) -> str:
    """A heading's text without the optional closing run of '#', which (as in CommonMark)
    closes it only after a space: ``Title ##`` -> ``Title``, but ``C#`` stays ``C#``."""
    text = line.strip()
    bare = text.rstrip("#")
    if bare != text and (not bare or bare[-1] in " \t"):
        text = bare.rstrip()
    return text


def _strip_code(text: str) -> str:
    return INLINE_CODE.sub("", FENCE.sub("", text))


def wiki_links(body: str) -> tuple[str, ...]:
    """Targets of ``[[id]]``, ``[[id|alias]]`` and ``[[id#section]]`` links, slugged, in order."""
    seen: dict[str, None] = {}
    for match in WIKI_LINK.finditer(_strip_code(body)):
        seen.setdefault(slugify(match.group(1)), None)
    return tuple(t for t in seen if t)


def hashtags(body: str) -> tuple[str, ...]:
    """Obsidian-style ``#tags`` in the body (headings and code are not tags)."""
    text = "\n".join(line for line in _strip_code(body).splitlines() if not line.startswith("#"))
    seen: dict[str, None] = {}
    for match in HASHTAG.finditer(text):
        seen.setdefault(match.group(1).lower(), None)
    return tuple(seen)


def _first_paragraph(body: str) -> str:
    for block in re.split(r"\n\s*\n", body):
        lines = [ln for ln in block.strip().splitlines() if not ln.lstrip().startswith("#")]
        para = " ".join(ln.strip() for ln in lines).strip()
        if para:
            return para
    return ""


def _str_list(path: str, meta: dict[str, Any], key: str) -> tuple[str, ...]:
    value = meta.get(key)
    if value is None:
        return ()
    if isinstance(value, str):
        value = [v for v in re.split(r"[,\s]+", value) if v]
    if not isinstance(value, list) or not all(isinstance(v, str | int) for v in value):
        raise NoteError(path, f"'{key}' must be a list of strings")
    return tuple(str(v).strip() for v in value if str(v).strip())


def _source(path: str, meta: dict[str, Any]) -> Source | None:
    raw = meta.get("source")
    if raw is None:
        return None
    if isinstance(raw, str):
        return Source(title=raw)
    if not isinstance(raw, dict):
        raise NoteError(path, "'source' must be a mapping (title, authors, year, url)")
    year = raw.get("year")
    if year is not None and not isinstance(year, int):
        raise NoteError(path, f"'source.year' must be a whole number, not {year!r}")
    authors = raw.get("authors", "")
    if isinstance(authors, list):
        authors = ", ".join(str(a) for a in authors)
    return Source(
        title=str(raw.get("title", "")).strip(),
        authors=str(authors).strip(),
        year=year,
        url=str(raw.get("url", "")).strip(),
    )


def parse_text(path: str, text: str, digest: str) -> Note:
    """Parse the text of one note. ``digest`` is the fingerprint of the file's bytes."""
    meta, body, _ = split_front_matter(path, text)
    stem = Path(path).stem
    if meta is None:
        heading = HEADING.search(body)
        rest = body[heading.end() :] if heading else body
        return Note(
            id=slugify(stem) or stem,
            title=(heading_text(heading.group(1)) if heading else "") or stem,
            summary=_first_paragraph(rest),
            body=body.strip(),
            path=path,
            fingerprint=digest,
            tags=hashtags(body),
            wiki_links=wiki_links(body),
        )
    note_id = str(meta.get("id") or slugify(stem)).strip()
    if not note_id:
        raise NoteError(path, "empty 'id'; give the note an id or a file name", line=2)
    title = meta.get("title")
    if title is None or not str(title).strip():
        raise NoteError(path, "missing 'title' in front matter", line=2)
    summary = meta.get("summary")
    tags = _str_list(path, meta, "tags")
    extra_tags = tuple(t for t in hashtags(body) if t not in tags)
    return Note(
        id=note_id,
        title=str(title).strip(),
        summary=" ".join(str(summary).split()) if summary else _first_paragraph(body),
        body=body.strip(),
        path=path,
        fingerprint=digest,
        tags=tags + extra_tags,
        related=_str_list(path, meta, "related"),
        wiki_links=wiki_links(body),
        source=_source(path, meta),
    )


def parse_bytes(path: str, data: bytes, *, max_bytes: int = 1_000_000) -> Note:
    """Parse one note from its file's bytes."""
    return parse_text(path, decode(path, data, max_bytes=max_bytes), fingerprint(data))


def read_note(path: Path, *, max_bytes: int = 1_000_000) -> Note:
    """Read and parse one note file."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise NoteError(str(path), f"cannot read file: {exc.strerror}") from None
    return parse_bytes(str(path), data, max_bytes=max_bytes)
