"""Write a verified line back into the corpus as a note, then index it, so that later questions
can build on earlier lines.

The note follows CORPUS.md: the question is its title, the insight its summary, the framing,
body and insight its body with a wiki link after every claim to the notes it rests on, and its
sources are its ``related`` notes. It is marked as generated: the tag ``generated-line`` (so a
search can leave such notes out, or look at them alone) and a ``generated`` block with the line's
id, model, date and verdict.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path

from .errors import InquirerError
from .indexer import Indexer
from .insight import INSIGHT_LEAD
from .render import line_id
from .types import Line

TAG = "generated-line"
MAX_TAGS = 4


def note_id(question_id: str) -> str:
    return f"line-{question_id}".lower()[:100]


def note_text(line: Line, nid: str, tags: list[str]) -> str:
    """The line as a corpus note (front matter and body)."""
    verdict = line.verdict.describe() if line.verdict else "not verified"
    summary = line.insight.removeprefix(INSIGHT_LEAD).strip() or line.framing
    year = datetime.now(UTC).year
    front: dict[str, object] = {
        "id": nid,
        "title": line.question if line.question.endswith("?") else line.question + "?",
        "summary": summary,
        "tags": [TAG, *tags],
        "source": {
            "title": f"Inquiring line {line_id(line)}, composed from {len(line.sources)} notes",
            "authors": line.model,
            "year": year,
            "url": f"inquirer:line/{line_id(line)}",
        },
        "related": [s.note_id for s in line.sources],
        "generated": {
            "line": line_id(line),
            "model": line.model,
            "created": line.created,
            "verification": verdict,
        },
    }
    lines = ["---", *_yaml(front), "---", "", line.framing, ""]
    for paragraph in line.body:
        lines.append(
            " ".join(
                s.text + " " + " ".join(f"[[{c}]]" for c in s.cites) for s in paragraph.sentences
            )
        )
        lines.append("")
    lines.append(line.insight)
    return "\n".join(lines) + "\n"


def _yaml(data: Mapping[str, object], indent: str = "") -> list[str]:
    """Front matter lines; every string as a JSON string, which YAML reads as it is."""
    out: list[str] = []
    for key, value in data.items():
        if isinstance(value, dict):
            out.append(f"{indent}{key}:")
            out.extend(_yaml(value, indent + "  "))
        else:
            out.append(f"{indent}{key}: {json.dumps(value, ensure_ascii=False)}")
    return out


class CorpusWriteBack:
    """Writes generated notes into ``folder`` and indexes that folder after each one."""

    def __init__(self, folder: Path, indexer: Indexer) -> None:
        self.folder = folder
        self.indexer = indexer
        self._lock = threading.Lock()

    def write(self, line: Line, question_id: str) -> str:
        from .console import write_atomic

        nid = note_id(question_id)
        path = self.folder / f"{nid}.md"
        with self._lock:
            lexical = self.indexer.lexical
            cards = lexical.cards([s.note_id for s in line.sources]) if lexical else {}
            if self._title_taken(line.question, nid):
                raise InquirerError(
                    f"a note titled {line.question!r} is in the corpus already",
                    hint="the line is kept in the batch folder; only the note is not added",
                )
            tags = self._tags([tag for c in cards.values() for tag in c.hit.tags])
            write_atomic(path, note_text(line, nid, tags))
            report = self.indexer.run([self.folder])
            if report.problems:
                raise InquirerError(f"{path} was written but not indexed: {report.problems[0]}")
        return str(path)

    def _title_taken(self, question: str, nid: str) -> bool:
        lexical = self.indexer.lexical
        if lexical is None:
            return False
        return any(other != nid for other in lexical.ids_with_title(question))

    @staticmethod
    def _tags(tags: list[str]) -> list[str]:
        counts: dict[str, int] = {}
        for tag in tags:
            if tag != TAG:
                counts[tag] = counts.get(tag, 0) + 1
        return sorted(counts, key=lambda t: -counts[t])[:MAX_TAGS]
