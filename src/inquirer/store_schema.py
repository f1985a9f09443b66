"""What the vector store keeps, apart from the store itself: the spec of the vectors a
collection holds, one stored version of a note, each chunk's metadata, and search filters as a
Chroma ``where`` clause. Plain data and functions, with no chromadb import (store.py is the
module that talks to Chroma)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

from .chunking import chunk_id
from .types import Chunk, Filters, Note

# 1: first release. 2: tags, folders and links as list metadata, the source year as an int,
#    for filters and link expansion.
SCHEMA_VERSION = 2


@dataclass(frozen=True)
class IndexSpec:
    """What the vectors in a collection were made with; a mismatch means a rebuild."""

    embedding_model: str
    dimension: int
    chunk_words: int
    schema: int = SCHEMA_VERSION

    def as_metadata(self) -> dict[str, str | int]:
        return {
            "inquirer_schema": self.schema,
            "embedding_model": self.embedding_model,
            "dimension": self.dimension,
            "chunk_words": self.chunk_words,
        }

    @classmethod
    def from_metadata(cls, meta: dict[str, Any] | None) -> IndexSpec | None:
        if not meta or "embedding_model" not in meta:
            return None
        return cls(
            embedding_model=str(meta["embedding_model"]),
            dimension=int(meta.get("dimension", 0)),
            chunk_words=int(meta.get("chunk_words", 0)),
            schema=int(meta.get("inquirer_schema", 0)),
        )

    def differences(self, other: IndexSpec) -> list[str]:
        out = []
        for name in ("embedding_model", "dimension", "chunk_words", "schema"):
            mine, theirs = getattr(self, name), getattr(other, name)
            if mine != theirs:
                out.append(f"{name} {theirs!r} -> {mine!r}")
        return out


@dataclass(frozen=True)
class StoredVersion:
    """One version of a note as the store holds it."""

    note_id: str
    version: str
    count: int
    present: frozenset[int]

    @property
    def complete(self) -> bool:
        return self.present == frozenset(range(self.count))

    def chunk_ids(self) -> list[str]:
        return [chunk_id(self.note_id, self.version, i, self.count) for i in sorted(self.present)]


def list_field(meta: dict[str, Any], key: str) -> tuple[str, ...]:
    """A list-valued metadata field (absent when the list is empty: Chroma stores no empty list)."""
    value = meta.get(key)
    return tuple(str(v) for v in value) if isinstance(value, list) else ()


def folders_of(path: str) -> list[str]:
    """Every folder above a note's file, so a folder filter is an exact list match."""
    return [str(p) for p in PurePath(path).parents if str(p) not in ("", ".")]


def chunk_metadata(note: Note, version: str, chunk: Chunk, count: int) -> dict[str, Any]:
    meta: dict[str, Any] = {
        "note_id": note.id,
        "version": version,
        "fingerprint": note.fingerprint,
        "chunk_index": chunk.index,
        "chunk_count": count,
        "title": note.title,
        "summary": note.summary,
        "path": note.path,
        "folders": folders_of(note.path),
    }
    if note.tags:
        meta["tags"] = list(note.tags)
    if note.links:
        meta["links"] = list(note.links)
    if note.source is not None and note.source.year is not None:
        meta["year"] = note.source.year
    return meta


def where_clause(filters: Filters | None) -> dict[str, Any] | None:
    """The Chroma ``where`` for ``filters`` (every condition must hold)."""
    if filters is None:
        return None
    conditions: list[dict[str, Any]] = [{"tags": {"$contains": tag}} for tag in filters.tags]
    if filters.folder is not None:
        conditions.append({"folders": {"$contains": filters.folder}})
    if filters.year_from is not None:
        conditions.append({"year": {"$gte": filters.year_from}})
    if filters.year_to is not None:
        conditions.append({"year": {"$lte": filters.year_to}})
    if not conditions:
        return None
    return conditions[0] if len(conditions) == 1 else {"$and": conditions}
