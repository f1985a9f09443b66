"""Opening the SQLite files inquirer keeps beside its index (the lexical index, the history)."""

from __future__ import annotations

import sqlite3
from pathlib import Path


def connect(path: Path) -> tuple[sqlite3.Connection, int]:
    """A connection to ``path`` (created with its folder if need be) shared by threads, in WAL
    mode so a crash mid-write loses nothing committed; and the file's schema version."""
    path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(path, check_same_thread=False)
    db.executescript("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;")
    (schema,) = db.execute("PRAGMA user_version").fetchone()
    return db, int(schema)
