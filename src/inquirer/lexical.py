"""The lexical (BM25) index: SQLite FTS5 beside the vector store, one row per note version.

FTS5 scores with BM25 and is updated in place, so the lexical index is kept in step with the
vector store incrementally, within the same indexing pass, and persisted between runs. Title and
summary carry a note's claim and weigh more than the body.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterable
from pathlib import Path

from .errors import StoreError
from .types import Filters, Hit, Note

# bump when the table's columns change: an older table is dropped and refilled from the store
LEXICAL_SCHEMA = 2

# column weights for bm25(); note_id, version and path are not searched
WEIGHTS = {"title": 4.0, "summary": 2.0, "body": 1.0, "tags": 1.0}
_STOPWORD_TEXT = """
    a about above after again against all am an and any are as at be because been before
    being below between both but by can could did do does doing down during each few for
    from further had has have having he her here hers herself him himself his how i if in
    into is it its itself just me more most my myself no nor not now of off on once only or
    other our ours ourselves out over own same she should so some such than that the their
    theirs them themselves then there these they this those through to too under until up
    very was we were what when where which while who whom why will with would you your yours
    yourself yourselves
"""
STOPWORDS = frozenset(_STOPWORD_TEXT.split())
TOKEN = re.compile(r"[^\W_]+", re.UNICODE)


def query_terms(text: str, *, limit: int = 64) -> list[str]:
    """The searchable words of a query: lower-cased, stopwords dropped, de-duplicated."""
    seen: dict[str, None] = {}
    for word in TOKEN.findall(text.lower()):
        if word not in STOPWORDS and len(seen) < limit:
            seen.setdefault(word, None)
    return list(seen)


class LexicalIndex:
    """An FTS5 table of note versions in one SQLite file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(path, check_same_thread=False)
            self._db.executescript("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;")
            (schema,) = self._db.execute("PRAGMA user_version").fetchone()
            if schema != LEXICAL_SCHEMA:
                with self._db:
                    self._db.execute("DROP TABLE IF EXISTS notes")
                    self._db.execute(f"PRAGMA user_version = {LEXICAL_SCHEMA}")
            self._db.execute(
                """
                CREATE VIRTUAL TABLE IF NOT EXISTS notes USING fts5(
                    note_id UNINDEXED, version UNINDEXED, path UNINDEXED,
                    year UNINDEXED, tag_list UNINDEXED,
                    title, summary, body, tags,
                    tokenize = 'porter unicode61'
                )
                """
            )
        except sqlite3.Error as exc:
            raise StoreError(
                f"cannot open the lexical index at {path}: {exc}",
                hint="remove the file and run 'inquirer index' again",
            ) from exc

    def close(self) -> None:
        self._db.close()

    def is_empty(self) -> bool:
        return self._db.execute("SELECT 1 FROM notes LIMIT 1").fetchone() is None

    def versions(self) -> set[str]:
        return {row[0] for row in self._db.execute("SELECT version FROM notes")}

    def add(self, items: Iterable[tuple[Note, str]]) -> None:
        """Add note versions (note, version) in one transaction."""
        rows = [
            (
                note.id,
                version,
                note.path,
                note.source.year if note.source else None,
                "".join(f"|{tag}|" for tag in note.tags),
                note.title,
                note.summary,
                note.body,
                " ".join(note.tags),
            )
            for note, version in items
        ]
        with self._db:
            self._db.executemany(
                "INSERT INTO notes (note_id, version, path, year, tag_list, title, summary, body, "
                "tags) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                rows,
            )

    def delete(self, versions: Iterable[str]) -> None:
        with self._db:
            self._db.executemany("DELETE FROM notes WHERE version = ?", [(v,) for v in versions])

    def clear(self) -> None:
        with self._db:
            self._db.execute("DELETE FROM notes")

    def search(self, query: str, k: int, *, filters: Filters | None = None) -> list[Hit]:
        """The ``k`` best notes for ``query`` by BM25 (any query word may match)."""
        terms = query_terms(query)
        if not terms:
            return []
        match = " OR ".join(f'"{t}"' for t in terms)
        weights = ", ".join(str(w) for w in (0.0, 0.0, 0.0, 0.0, 0.0, *WEIGHTS.values()))
        where, params = _filter_sql(filters)
        sql = (
            f"SELECT note_id, path, title, summary, tags, bm25(notes, {weights}) AS rank "
            f"FROM notes WHERE notes MATCH ?{where} ORDER BY rank LIMIT ?"
        )
        try:
            rows = self._db.execute(sql, (match, *params, k)).fetchall()
        except sqlite3.Error as exc:
            raise StoreError(f"lexical search failed: {exc}") from exc
        best: dict[str, Hit] = {}
        for note_id, path, title, summary, tags, rank in rows:
            if note_id not in best:  # two versions of one note during an update
                best[note_id] = Hit(
                    note_id=str(note_id),
                    title=str(title),
                    summary=str(summary),
                    score=-float(rank),
                    path=str(path),
                    tags=tuple(str(tags).split()),
                )
        return list(best.values())


def _filter_sql(filters: Filters | None) -> tuple[str, list[object]]:
    """Extra WHERE conditions (each starting with AND) and their parameters."""
    if not filters:
        return "", []
    sql: list[str] = []
    params: list[object] = []
    for tag in filters.tags:
        sql.append("instr(tag_list, ?) > 0")
        params.append(f"|{tag}|")
    if filters.folder is not None:
        sql.append("substr(path, 1, ?) = ?")
        prefix = filters.folder.rstrip("/") + "/"
        params += [len(prefix), prefix]
    if filters.year_from is not None:
        sql.append("year >= ?")
        params.append(filters.year_from)
    if filters.year_to is not None:
        sql.append("year <= ?")
        params.append(filters.year_to)
    return "".join(f" AND {c}" for c in sql), params
