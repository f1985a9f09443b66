"""The lines a user has made, kept in SQLite under INQUIRER_HOME so that they survive restarts
and crashes: each line is written whole, in one transaction, the moment it is finished."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import StoreError
from .sqlite_file import connect

SCHEMA = 1


@dataclass(frozen=True)
class Entry:
    """One remembered line, as the history screen lists it."""

    id: str
    question: str
    created: str
    model: str
    status: str  # the verifier's status: passed, failed, not run


class History:
    """Lines in their JSON form (render.to_json), newest first."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            self._db, schema = connect(path)
            if schema not in (0, SCHEMA):
                raise StoreError(
                    f"the history at {path} was written by another version of inquirer",
                    hint="move the file aside to start a new history",
                )
            with self._db:
                self._db.execute(
                    "CREATE TABLE IF NOT EXISTS lines (id TEXT PRIMARY KEY, question TEXT NOT "
                    "NULL, created TEXT NOT NULL, model TEXT, status TEXT, data TEXT NOT NULL)"
                )
                self._db.execute("CREATE INDEX IF NOT EXISTS lines_created ON lines (created)")
                self._db.execute(f"PRAGMA user_version = {SCHEMA}")
        except sqlite3.Error as exc:
            raise StoreError(
                f"cannot open the history at {path}: {exc}",
                hint="check the folder's permissions, or move the file aside",
            ) from exc

    def close(self) -> None:
        self._db.close()

    def add(self, data: dict[str, Any]) -> None:
        """Remember a line (its JSON form); the same line again replaces the earlier copy."""
        status = (data.get("verification") or {}).get("status", "not run")
        with self._db:
            self._db.execute(
                "INSERT OR REPLACE INTO lines VALUES (?, ?, ?, ?, ?, ?)",
                (
                    data["id"],
                    data["question"],
                    data["created"],
                    data.get("model", ""),
                    status,
                    json.dumps(data, ensure_ascii=False),
                ),
            )

    def entries(self, contains: str = "", limit: int = 500) -> list[Entry]:
        """The newest lines first; ``contains`` keeps those whose question holds the words."""
        sql = "SELECT id, question, created, model, status FROM lines"
        args: list[object] = []
        words = contains.split()
        if words:
            sql += " WHERE " + " AND ".join("question LIKE ? ESCAPE '\\'" for _ in words)
            args += [f"%{_escape(w)}%" for w in words]
        sql += " ORDER BY created DESC LIMIT ?"
        args.append(limit)
        return [Entry(*row) for row in self._db.execute(sql, args)]

    def get(self, line_id: str) -> dict[str, Any] | None:
        row = self._db.execute("SELECT data FROM lines WHERE id = ?", (line_id,)).fetchone()
        return None if row is None else dict(json.loads(row[0]))

    def __len__(self) -> int:
        return int(self._db.execute("SELECT count(*) FROM lines").fetchone()[0])


def _escape(word: str) -> str:
    return word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
