"""The frozen value types that flow through inquirer (see DESIGN.md, data flow)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Source:
    """The published work a note rests on."""

    title: str
    authors: str = ""
    year: int | None = None
    url: str = ""


@dataclass(frozen=True)
class Note:
    """One parsed note. ``fingerprint`` is the sha256 of the file's bytes."""

    id: str
    title: str
    summary: str
    body: str
    path: str
    fingerprint: str
    tags: tuple[str, ...] = ()
    related: tuple[str, ...] = ()
    wiki_links: tuple[str, ...] = ()
    source: Source | None = None

    @property
    def links(self) -> tuple[str, ...]:
        """Every note id this note points at (related first), without duplicates or itself."""
        seen: dict[str, None] = {}
        for target in (*self.related, *self.wiki_links):
            if target != self.id:
                seen.setdefault(target, None)
        return tuple(seen)


@dataclass(frozen=True)
class Chunk:
    """A piece of a note as it is embedded. Chunk 0 carries the title and summary (the claim)."""

    id: str
    note_id: str
    index: int
    text: str


@dataclass(frozen=True)
class Stage:
    """What one retrieval stage made of a hit: its rank there (1 = best) and score."""

    name: str  # dense, bm25, fused, rerank, links, diversity
    rank: int | None
    score: float
    detail: str = ""


@dataclass(frozen=True)
class Hit:
    """A note found by retrieval, with the chunk that matched best and how each stage saw it."""

    note_id: str
    title: str
    summary: str
    score: float
    path: str
    chunk_index: int = 0
    tags: tuple[str, ...] = field(default=())
    stages: tuple[Stage, ...] = field(default=())


@dataclass(frozen=True)
class Filters:
    """What a search is limited to; every condition given must hold."""

    tags: tuple[str, ...] = ()  # the note carries every one of these tags
    folder: str | None = None  # an absolute folder the note's file lies under
    year_from: int | None = None  # the source's year, inclusive
    year_to: int | None = None

    def __bool__(self) -> bool:
        return bool(self.tags) or any(
            v is not None for v in (self.folder, self.year_from, self.year_to)
        )


@dataclass(frozen=True)
class Card:
    """A note as retrieval shows and follows it: its claim, links and year, and the id of
    its claim vector (chunk 0) in the vector store."""

    hit: Hit
    links: tuple[str, ...]
    year: int | None
    vector_id: str
