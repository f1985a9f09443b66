"""The batch ledger: one JSON record per question in ``ledger.jsonl``, beside the outputs.

Records are appended whole (one write of one line, then fsync), so a kill at any moment leaves
every earlier record intact; at worst the last line is torn, and reading skips it. When a batch
starts and when it ends, the ledger is rewritten (a temporary file, then a rename) with the
newest record of each question only, so at rest it holds exactly one record per question.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .errors import InquirerError

log = logging.getLogger(__name__)

FILE_NAME = "ledger.jsonl"
FINISHED = ("done", "rejected")  # a resumed batch skips these; it retries failed ones


class Record(BaseModel):
    """What the ledger says of one question."""

    model_config = ConfigDict(extra="ignore")

    id: str
    question: str
    status: str  # done, rejected, failed
    line: int = 0  # the question's line in the questions file
    model: str = ""
    attempt: int = 1
    started: str = ""
    finished: str = ""
    seconds: float = 0.0
    timings: dict[str, float] = Field(default_factory=dict)
    tokens: dict[str, int] = Field(default_factory=dict)
    verification: dict[str, Any] = Field(default_factory=dict)
    outputs: dict[str, str] = Field(default_factory=dict)  # form -> path relative to the folder
    rejected: list[str] = Field(default_factory=list)  # the gates the line fell below
    error: str = ""
    note: str = ""  # the corpus note the line was written back as, if any

    @property
    def finished_ok(self) -> bool:
        return self.status in FINISHED


class Ledger:
    def __init__(self, folder: Path) -> None:
        self.path = folder / FILE_NAME
        self.torn = 0  # unreadable lines met when reading

    def exists(self) -> bool:
        return self.path.exists() and self.path.stat().st_size > 0

    def read(self) -> dict[str, Record]:
        """The newest record of each question. A line that does not parse (the torn end of a
        killed write) is skipped with a warning; the next rewrite drops it."""
        records: dict[str, Record] = {}
        self.torn = 0
        if not self.path.exists():
            return records
        try:
            text = self.path.read_text(encoding="utf-8", errors="replace")
        except OSError as exc:
            raise InquirerError(f"cannot read the ledger {self.path}: {exc.strerror}") from None
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                record = Record.model_validate(json.loads(line))
            except (json.JSONDecodeError, ValidationError):
                self.torn += 1
                log.warning("%s:%d: unreadable ledger line skipped", self.path, number)
                continue
            records.pop(record.id, None)  # keep the file's order of the newest records
            records[record.id] = record
        return records

    def append(self, record: Record) -> None:
        data = (json.dumps(record.model_dump(), ensure_ascii=False) + "\n").encode()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            if os.fstat(fd).st_size and not self._ends_with_newline():
                data = b"\n" + data  # a torn last line stays on a line of its own
            os.write(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)

    def _ends_with_newline(self) -> bool:
        with self.path.open("rb") as handle:
            handle.seek(-1, os.SEEK_END)
            return handle.read(1) == b"\n"

    def rewrite(self, records: Iterable[Record]) -> None:
        """Replace the ledger by ``records``, whole or not at all."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        partial = self.path.with_name(f".{FILE_NAME}.partial")
        with partial.open("w", encoding="utf-8") as handle:
            for record in records:
                handle.write(json.dumps(record.model_dump(), ensure_ascii=False) + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(partial, self.path)

    def compact(self) -> dict[str, Record]:
        """Read, then rewrite with one record per question; returns them."""
        records = self.read()
        if self.path.exists():
            self.rewrite(records.values())
        return records
