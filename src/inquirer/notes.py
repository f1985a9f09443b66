"""Parse note files into Notes: YAML front matter as CORPUS.md describes, or plain Markdown.

Pure: no I/O beyond reading the one file asked for. Problems are raised as NoteError with the
file and, where known, the line.
"""

from __future__ import annotations

import codecs
import hashlib
import os
import re
import stat
import unicodedata
from pathlib import Path

from . import front_matter
from .errors import EmptyNoteError, NoteError
from .front_matter import FrontMatter
from .types import Note

MAX_BYTES = 1_000_000  # the size limit of a note file where no setting gives one

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


def fingerprint(data: bytes) -> str:
    """The content hash that names a version of a note everywhere (store, citations)."""
    return hashlib.sha256(data).hexdigest()


def slugify(text: str) -> str:
    """A kebab-case id from a file name or a wiki-link target: ``My Note`` -> ``my-note``."""
    norm = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", norm.lower()).strip("-")


# byte-order marks of the encodings other than UTF-8 that editors save Markdown in (Windows
# Notepad's "Unicode" is UTF-16); the longer UTF-32 marks first, as they begin like UTF-16's
_BOMS = (
    (codecs.BOM_UTF32_LE, "UTF-32"),
    (codecs.BOM_UTF32_BE, "UTF-32"),
    (codecs.BOM_UTF16_LE, "UTF-16"),
    (codecs.BOM_UTF16_BE, "UTF-16"),
)


def too_big(path: str, size: int, max_bytes: int) -> NoteError:
    return NoteError(path, f"file is {size:,} bytes, over the {max_bytes:,}-byte limit")


def decode(path: str, data: bytes, *, max_bytes: int) -> str:
    """Bytes to text, refusing oversized, binary and undecodable files with a precise message.

    UTF-8 is expected; a file that opens with a UTF-16 or UTF-32 byte-order mark is decoded
    as that encoding (its NUL bytes are no sign of a binary file)."""
    if len(data) > max_bytes:
        raise too_big(path, len(data), max_bytes)
    encoding = next((name for bom, name in _BOMS if data.startswith(bom)), "UTF-8")
    if encoding == "UTF-8" and b"\x00" in data:
        raise NoteError(path, "binary file (contains NUL bytes), not a Markdown note")
    try:
        text = data.decode(encoding.lower())
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1 if encoding == "UTF-8" else None
        raise NoteError(
            path, f"not valid {encoding} (byte {exc.start}); re-save the file as UTF-8", line=line
        ) from None
    if "\x00" in text:
        raise NoteError(path, f"binary file ({encoding} with NUL characters), not a Markdown note")
    return text.removeprefix("\ufeff").replace("\r\n", "\n")


def split_front_matter(path: str, text: str) -> tuple[FrontMatter | None, str]:
    """Return the front matter (None when the note has none) and the body."""
    if not text.startswith("---\n"):
        return None, text
    end = FRONT_MATTER_END.search(text, 4)
    if end is None:
        raise NoteError(path, "front matter opened with '---' is never closed", line=1)
    raw = text[4 : end.start()]
    meta = FrontMatter(path, raw, front_matter.load(path, raw))
    return meta, text[end.end() :].lstrip("\n")


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


def parse_text(path: str, text: str, digest: str) -> Note:
    """Parse the text of one note. ``digest`` is the fingerprint of the file's bytes."""
    if not text.strip():
        empty = "empty file" if not text else "empty file (only whitespace)"
        raise EmptyNoteError(path, f"{empty}; skipped")
    meta, body = split_front_matter(path, text)
    if meta is None:
        return _plain_note(path, body, digest)
    return _front_matter_note(meta, body, digest)


def _plain_note(path: str, body: str, digest: str) -> Note:
    """A note without front matter: its id from the file name, its title from the first
    heading (else the file name), its summary from the first paragraph after it."""
    stem = Path(path).stem
    heading = HEADING.search(body)
    rest = body[heading.end() :] if heading else body
    return Note(
        id=front_matter.check_id(path, slugify(stem) or stem),
        title=(heading_text(heading.group(1)) if heading else "") or stem,
        summary=_first_paragraph(rest),
        body=body.strip(),
        path=path,
        fingerprint=digest,
        tags=hashtags(body),
        wiki_links=wiki_links(body),
    )


def _front_matter_note(meta: FrontMatter, body: str, digest: str) -> Note:
    """A note as CORPUS.md describes it; what the front matter leaves out comes from the body."""
    note_id = meta.note_id(slugify(Path(meta.path).stem))
    title = meta.text("title")
    if not title:
        raise NoteError(meta.path, "missing 'title' in front matter", line=meta.line("title") or 2)
    summary = meta.text("summary")
    tags = meta.strings("tags")
    extra_tags = tuple(t for t in hashtags(body) if t not in tags)
    return Note(
        id=note_id,
        title=title,
        summary=" ".join(summary.split()) if summary else _first_paragraph(body),
        body=body.strip(),
        path=meta.path,
        fingerprint=digest,
        tags=tags + extra_tags,
        related=meta.strings("related"),
        wiki_links=wiki_links(body),
        source=meta.source(),
    )


def parse_bytes(path: str, data: bytes, *, max_bytes: int = MAX_BYTES) -> Note:
    """Parse one note from its file's bytes."""
    return parse_text(path, decode(path, data, max_bytes=max_bytes), fingerprint(data))


def file_kind(mode: int) -> str | None:
    """What a file that is not a regular file is (a FIFO, a device, …); None for a regular file."""
    if stat.S_ISREG(mode):
        return None
    kinds = (
        (stat.S_ISFIFO, "a FIFO"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISSOCK, "a socket"),
        (stat.S_ISDIR, "a folder"),
    )
    return next((name for test, name in kinds if test(mode)), "not a file")


def not_regular(path: str, mode: int) -> NoteError | None:
    """The problem with reading a file of ``mode`` as a note, if it is not a regular file."""
    kind = file_kind(mode)
    return None if kind is None else NoteError(path, f"not a regular file ({kind}); skipped")


def _readable(path: str, info: os.stat_result, max_bytes: int) -> None:
    """Refuse, by its stat, a file that is no regular file or is too big to be a note."""
    error = not_regular(path, info.st_mode)
    if error is not None:
        raise error
    if info.st_size > max_bytes:
        raise too_big(path, info.st_size, max_bytes)


def read_bytes(path: Path, *, max_bytes: int) -> bytes:
    """The bytes of one note file, if it is a regular file of at most ``max_bytes``.

    Anything else is refused before it is opened: a FIFO would wait for a writer forever and a
    device may never end. The open file is checked again (it is opened without waiting), so a
    file swapped for a FIFO after the first check blocks nothing either; and no more than
    ``max_bytes`` are read, however much the file grows meanwhile.
    """
    name = str(path)
    try:
        _readable(name, os.stat(path), max_bytes)
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with open(fd, "rb") as file:
            _readable(name, os.fstat(fd), max_bytes)
            data = file.read(max_bytes + 1)
    except OSError as exc:
        raise NoteError(name, f"cannot read file: {exc.strerror}") from None
    if len(data) > max_bytes:
        raise too_big(name, len(data), max_bytes)
    return data


def read_note(path: Path, *, max_bytes: int = MAX_BYTES) -> Note:
    """Read and parse one note file."""
    data = read_bytes(path, max_bytes=max_bytes)
    return parse_bytes(str(path), data, max_bytes=max_bytes)
