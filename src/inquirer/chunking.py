"""Split a note into the chunks that are embedded, and name them.

Chunk 0 is the note's claim: title and summary. The body follows in windows of at most
``words`` words, packed by paragraph, each prefixed with the title so it keeps its topic.

A chunk id names the note, the version of the note (a hash of its path and bytes), the chunk's
index and the number of chunks in that version:  ``<note-id>@<version>#<index>/<count>``.
So the ids alone tell which complete versions a store holds.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from .types import Chunk, Note

CHUNK_ID = re.compile(r"^(?P<note>.+)@(?P<version>[0-9a-f]{16})#(?P<index>\d+)/(?P<count>\d+)$")


@dataclass(frozen=True)
class ChunkKey:
    note_id: str
    version: str
    index: int
    count: int


def note_version(path: str, data: bytes) -> str:
    """Names one version of one file: its path and its bytes."""
    digest = hashlib.sha256(path.encode("utf-8", "surrogateescape"))
    digest.update(b"\0")
    digest.update(data)
    return digest.hexdigest()[:16]


def chunk_id(note_id: str, version: str, index: int, count: int) -> str:
    return f"{note_id}@{version}#{index}/{count}"


def parse_chunk_id(raw: str) -> ChunkKey | None:
    match = CHUNK_ID.match(raw)
    if match is None:
        return None
    return ChunkKey(match["note"], match["version"], int(match["index"]), int(match["count"]))


def _windows(body: str, words: int) -> list[str]:
    windows: list[list[str]] = []
    current: list[str] = []
    for paragraph in re.split(r"\n\s*\n", body):
        tokens = paragraph.split()
        if current and len(current) + len(tokens) > words:
            windows.append(current)
            current = []
        start = 0  # a long paragraph is cut in place: cutting off its head each time is quadratic
        while len(tokens) - start > words:
            windows.append(tokens[start : start + words])
            start += words
        current.extend(tokens[start:])
    if current:
        windows.append(current)
    return [" ".join(w) for w in windows]


def chunk_note(note: Note, version: str, words: int) -> list[Chunk]:
    """The chunks of one version of ``note``."""
    texts = [f"{note.title}\n{note.summary}".strip()]
    texts.extend(f"{note.title}\n{window}" for window in _windows(note.body, words))
    count = len(texts)
    return [
        Chunk(id=chunk_id(note.id, version, i, count), note_id=note.id, index=i, text=text)
        for i, text in enumerate(texts)
    ]
