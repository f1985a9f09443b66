"""The note table beside the vector store: BM25 search (SQLite FTS5) and each note's card.

One SQLite file, one row per note version in each of two tables: ``notes`` (FTS5: the text, for
BM25) and ``cards`` (what is shown and followed: title, summary, path, tags, links, year, and the
id of the note's claim vector). Both are updated in place within the indexing pass, so they stay
in step with the vector store incrementally and persist between runs. Title and summary carry a
note's claim and weigh more than the body.

BM25 leaves out query words that occur in more than half of the notes: FTS5 clamps their idf to
~0, so they add nothing to a score, but every note they match would be scored. On large corpora
that is most of a query's cost.
"""

from __future__ import annotations

import json
import re
import sqlite3
import threading
from collections.abc import Iterable, Sequence
from pathlib import Path

from .chunking import chunk_id
from .errors import StoreError
from .front_matter import MAX_YEAR, MIN_YEAR
from .sqlite_file import connect
from .types import Card, Filters, Hit, Note

# bump when the tables change: older tables are dropped and refilled from the store
LEXICAL_SCHEMA = 3
MAX_DF = 0.5  # share of notes above which a query word is left out of the BM25 match

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
    yourself yourselves besides doesn
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
    """The FTS5 and card tables of note versions in one SQLite file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._probing = threading.Lock()
        try:
            self._db, schema = connect(path)
            if schema != LEXICAL_SCHEMA:
                with self._db:
                    self._db.execute("DROP TABLE IF EXISTS notes")
                    self._db.execute("DROP TABLE IF EXISTS cards")
                    self._db.execute(f"PRAGMA user_version = {LEXICAL_SCHEMA}")
            self._db.executescript(
                """
                CREATE VIRTUAL TABLE IF NOT EXISTS notes USING fts5(
                    note_id UNINDEXED, version UNINDEXED, path UNINDEXED,
                    year UNINDEXED, tag_list UNINDEXED,
                    title, summary, body, tags,
                    tokenize = 'porter unicode61'
                );
                CREATE TABLE IF NOT EXISTS cards (
                    version TEXT PRIMARY KEY, note_id TEXT NOT NULL, text_row INTEGER NOT NULL,
                    vector_id TEXT NOT NULL, title TEXT, summary TEXT, path TEXT,
                    tags TEXT, links TEXT, year INTEGER
                );
                CREATE INDEX IF NOT EXISTS cards_note ON cards (note_id);
                CREATE VIRTUAL TABLE temp.vocab USING fts5vocab(main, notes, 'row');
                CREATE VIRTUAL TABLE temp.probe USING fts5(word, tokenize = 'porter unicode61');
                CREATE VIRTUAL TABLE temp.probe_terms USING fts5vocab(temp, probe, 'instance');
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
        return self._db.execute("SELECT 1 FROM cards LIMIT 1").fetchone() is None

    def count(self) -> int:
        return int(self._db.execute("SELECT count(*) FROM cards").fetchone()[0])

    def versions(self) -> set[str]:
        return {row[0] for row in self._db.execute("SELECT version FROM cards")}

    def add(self, items: Iterable[tuple[Note, str, int]]) -> None:
        """Add note versions (note, version, its chunk count) in one transaction."""
        with self._db:
            for note, version, chunks in items:
                year = note.source.year if note.source else None
                if year is not None and not MIN_YEAR <= year <= MAX_YEAR:
                    # a year notes.py refuses can still come back from a store written before
                    # it did; SQLite cannot hold it, and the note is kept without it
                    year = None
                cursor = self._db.execute(
                    "INSERT INTO notes (note_id, version, path, year, tag_list, title, summary, "
                    "body, tags) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        note.id,
                        version,
                        note.path,
                        year,
                        "".join(f"|{tag}|" for tag in note.tags),
                        note.title,
                        note.summary,
                        note.body,
                        " ".join(note.tags),
                    ),
                )
                self._db.execute(
                    "INSERT OR REPLACE INTO cards VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        version,
                        note.id,
                        cursor.lastrowid,
                        chunk_id(note.id, version, 0, chunks),
                        note.title,
                        note.summary,
                        note.path,
                        json.dumps(list(note.tags)),
                        json.dumps(list(note.links)),
                        year,
                    ),
                )

    def repair(self) -> int:
        """Remove rows that no card accounts for: a text row no card points at (two writers
        that added one version twice left one, and search served its superseded text after
        the next edit), and a card whose text row is gone (it is then missing, and reconcile
        adds it again from the store). Returns how many rows were removed."""
        with self._db:
            orphans = self._db.execute(
                "DELETE FROM notes WHERE rowid NOT IN (SELECT text_row FROM cards)"
            ).rowcount
            broken = self._db.execute(
                "DELETE FROM cards WHERE text_row NOT IN (SELECT rowid FROM notes)"
            ).rowcount
        return max(orphans, 0) + max(broken, 0)

    def delete(self, versions: Iterable[str]) -> None:
        with self._db:
            for version in versions:
                row = self._db.execute(
                    "SELECT text_row FROM cards WHERE version = ?", (version,)
                ).fetchone()
                if row is not None:
                    self._db.execute("DELETE FROM notes WHERE rowid = ?", row)
                    self._db.execute("DELETE FROM cards WHERE version = ?", (version,))

    def clear(self) -> None:
        with self._db:
            self._db.execute("DELETE FROM notes")
            self._db.execute("DELETE FROM cards")

    def note_ids(self) -> list[str]:
        """Every note id the table holds, sorted."""
        rows = self._db.execute("SELECT DISTINCT note_id FROM cards ORDER BY note_id")
        return [row[0] for row in rows]

    def ids_with_title(self, title: str) -> list[str]:
        """Ids of the notes titled ``title``, letter case and outer spaces aside."""
        rows = self._db.execute(
            "SELECT DISTINCT note_id FROM cards WHERE lower(trim(title)) = ?",
            (title.strip().lower(),),
        ).fetchall()
        return [row[0] for row in rows]

    def cards(self, note_ids: Sequence[str]) -> dict[str, Card]:
        """The card of each given note (ids it does not hold are left out)."""
        out: dict[str, Card] = {}
        ids = list(dict.fromkeys(note_ids))
        for start in range(0, len(ids), 500):  # SQLite's limit on bound parameters
            batch = ids[start : start + 500]
            rows = self._db.execute(
                "SELECT note_id, vector_id, title, summary, path, tags, links, year FROM cards "
                f"WHERE note_id IN ({', '.join('?' * len(batch))})",
                batch,
            ).fetchall()
            for note_id, vector_id, title, summary, path, tags, links, year in rows:
                out[note_id] = Card(
                    hit=Hit(
                        note_id=note_id,
                        title=title,
                        summary=summary,
                        score=0.0,
                        path=path,
                        tags=tuple(json.loads(tags)),
                    ),
                    links=tuple(json.loads(links)),
                    year=year,
                    vector_id=vector_id,
                )
        return out

    def _frequencies(self, words: list[str]) -> list[int | None]:
        """How many notes hold each word's stem (None for a word that has no stem). The probe
        table is this connection's scratch space: one thread at a time uses it."""
        with self._probing, self._db:
            self._db.executemany(
                "INSERT INTO temp.probe (rowid, word) VALUES (?, ?)", list(enumerate(words))
            )
            stems = dict(self._db.execute("SELECT doc, term FROM temp.probe_terms"))
            self._db.execute("DELETE FROM temp.probe")
        unique = sorted(set(stems.values()))
        marks = ", ".join("?" * len(unique))
        query = f"SELECT term, doc FROM temp.vocab WHERE term IN ({marks})"
        frequency = dict(self._db.execute(query, unique).fetchall()) if unique else {}
        return [frequency.get(stems[i], 0) if i in stems else None for i in range(len(words))]

    def _selective(self, words: list[str]) -> list[str]:
        """The words worth matching: those in at most MAX_DF of the notes. When every word is
        more common than that, BM25 has nothing to tell the notes apart by (FTS5 would score
        each ~0), so nothing is matched."""
        frequency = self._frequencies(words)
        present = [i for i, f in enumerate(frequency) if f]
        if not present:
            return []
        limit = MAX_DF * self.count()
        return [words[i] for i in present if (frequency[i] or 0) <= limit]

    def absent(self, words: list[str]) -> list[str]:
        """The words whose stem no note holds."""
        return [w for w, f in zip(words, self._frequencies(words), strict=True) if f == 0]

    def search(self, query: str, k: int, *, filters: Filters | None = None) -> list[Hit]:
        """The ``k`` best notes for ``query`` by BM25 (any selective query word may match)."""
        try:
            words = self._selective(query_terms(query))
            if not words:
                return []
            match = " OR ".join(f'"{w}"' for w in words)
            weights = ", ".join(str(w) for w in (0.0, 0.0, 0.0, 0.0, 0.0, *WEIGHTS.values()))
            where, params = _filter_sql(filters)
            sql = (
                f"SELECT note_id, path, title, summary, tags, bm25(notes, {weights}) AS rank "
                f"FROM notes WHERE notes MATCH ?{where} ORDER BY rank LIMIT ?"
            )
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
