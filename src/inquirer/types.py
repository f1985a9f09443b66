"""The frozen value types that flow through inquirer (see DESIGN.md, data flow)."""

from __future__ import annotations

from collections.abc import Mapping
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


# -- the inquiring line (FORMAT.md) ------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    """One step of the agent's work, as the trace records it."""

    kind: str  # plan, search, read, judge, follow, decide; compose (what composing set aside)
    detail: str
    note_id: str | None = None
    kept: bool | None = None
    reason: str = ""


@dataclass(frozen=True)
class ReadNote:
    """A note the agent read in full, with its judgement of the note's relevance."""

    note: Note
    relevant: bool
    reason: str
    rank: int  # order in which retrieval ranked it (1 = first)


@dataclass(frozen=True)
class Evidence:
    """What the agent gathered for a question: every note it read, and its trace."""

    question: str
    read: tuple[ReadNote, ...]
    trace: tuple[Step, ...]
    unread: tuple[str, ...] = ()  # candidates found (by search or link) but not read
    outside: str = ""  # why the question lies outside the corpus, whatever was judged relevant

    @property
    def relevant(self) -> tuple[ReadNote, ...]:
        return tuple(r for r in self.read if r.relevant)

    @property
    def sufficient(self) -> bool:
        return not self.outside and len(self.relevant) >= 2


@dataclass(frozen=True)
class Sentence:
    text: str
    cites: tuple[str, ...]  # note ids


@dataclass(frozen=True)
class Paragraph:
    sentences: tuple[Sentence, ...]

    @property
    def cites(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(c for s in self.sentences for c in s.cites))

    def plain(self, titles: Mapping[str, str]) -> str:
        """The paragraph for a terminal: each claim followed by its notes' titles."""
        return " ".join(
            s.text.rstrip(".") + " (" + "; ".join(titles.get(c, c) for c in s.cites) + ")."
            for s in self.sentences
        )


@dataclass(frozen=True)
class SourceEntry:
    note_id: str
    title: str
    summary: str  # the note's own summary, never rewritten


@dataclass(frozen=True)
class Line:
    """An inquiring line: every part FORMAT.md requires, plus how it was made."""

    question: str
    framing: str
    body: tuple[Paragraph, ...]
    insight: str
    sources: tuple[SourceEntry, ...]
    next_lines: tuple[str, ...]
    answered: bool  # False when the corpus holds too little to answer
    model: str
    created: str  # ISO 8601, UTC
    evidence: Evidence
    asked: str = ""  # the question as the user typed it, when it was shortened
    corpus: str = ""  # fingerprint of the indexed corpus the line was made from
    timings: dict[str, float] = field(default_factory=dict)
    usage: dict[str, int] = field(default_factory=dict)
    verdict: Verdict | None = None  # the verifier's report; None until verified


# -- the verifier's report (FORMAT.md, Verification) ---------------------------------------------

SUPPORT_LABELS = ("supported", "partial", "unsupported", "uncited")


@dataclass(frozen=True)
class SentenceCheck:
    """How one body sentence fared against the notes it cites."""

    paragraph: int  # 0-based position in the body
    index: int  # 0-based position in its paragraph
    text: str
    cites: tuple[str, ...]
    label: str  # one of SUPPORT_LABELS
    support: float | None  # the judges' combined probability for the cited notes together
    problems: tuple[str, ...] = ()  # what the checks found, in words
    imprecise: tuple[str, ...] = ()  # cited notes that add no support (ALCE precision)
    scores: dict[str, float] = field(default_factory=dict)  # each judge's probability


@dataclass(frozen=True)
class Failure:
    """A hard failure of the line as a whole."""

    kind: str  # unknown_note, unread_note, number, summary, sources, part, next_line
    detail: str


@dataclass(frozen=True)
class Finding:
    """Something a reader trips on (FORMAT.md, "What a reader must never trip on"), found by the
    reading pass (reading.py): its kind, where it is and the text that shows it."""

    kind: str  # fragment, copied, insight_copy, repeated_opener, meta, connective, next_generic…
    part: str  # framing, body, insight, next
    paragraph: int  # 0-based body paragraph; -1 outside the body
    index: int  # 0-based sentence in the paragraph (or next line); -1 for a whole part
    text: str
    detail: str


@dataclass(frozen=True)
class NextCheck:
    question: str
    answerable: bool  # retrieval finds enough relevant notes
    novel: bool  # not a paraphrase of the question or of an earlier next line


@dataclass(frozen=True)
class Change:
    """What revision did to one sentence: rewrote it (``after``) or dropped it (``after`` empty)."""

    paragraph: int
    index: int
    before: str
    after: str
    reason: str


@dataclass(frozen=True)
class Verdict:
    """The external verifier's report on a line. ``status`` is passed, failed or not run
    (with ``reason``); a failed line is shown marked failed, never hidden."""

    status: str  # passed, failed, not run
    sentences: tuple[SentenceCheck, ...] = ()
    citation_recall: float | None = None
    citation_precision: float | None = None
    failures: tuple[Failure, ...] = ()
    next_lines: tuple[NextCheck, ...] = ()
    changes: tuple[Change, ...] = ()
    judges: tuple[str, ...] = ()
    seconds: float = 0.0
    reason: str = ""
    reading: tuple[Finding, ...] = ()  # what a reader trips on, after any revision
    copied: float | None = None  # share of body words in runs copied from the notes

    def count(self, label: str) -> int:
        return sum(1 for s in self.sentences if s.label == label)

    def describe(self) -> str:
        """The verdict in one line, for progress output and Markdown front matter."""
        if self.status == "not run":
            return f"not run: {self.reason}"
        parts = [
            f"{self.status}: {self.count('supported')}/{len(self.sentences)} sentences supported",
            f"{self.count('partial')} partial" if self.count("partial") else "",
            f"{self.count('unsupported')} unsupported" if self.count("unsupported") else "",
            f"{len(self.failures)} failed checks" if self.failures else "",
            f"{len(self.reading)} reading problems" if self.reading else "",
            f"{len(self.changes)} revised" if self.changes else "",
        ]
        return ", ".join(p for p in parts if p)
