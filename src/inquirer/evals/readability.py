"""How the lines read: the reading pass (reading.py) run over every line of an eval, so that
the agent's lines, the baseline's and lines of earlier runs are all read the same way, and its
findings as rates a report can show beside the citation figures.

A figure that looks good on a line that reads badly is a bug in the figure: these rates are
what a reader sees (fragments, copied clauses, insights that repeat, template next lines).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from .. import saved
from ..reading import CLOSE_RUN, RUN, Relatedness, insight_text, read_line
from ..types import Note
from ..wording import tokens

# the reading figures of a system, in the order the report shows them; for all but the first
# and the paragraph figures, lower is better
FIGURES = {
    "reading_clean": "lines with no reading failure",
    "fragments": "fragment sentences, of body sentences",
    "copied": f"body words copied in runs of {RUN}+",
    "copied_close": f"body words copied in runs of {CLOSE_RUN}+",
    "insight_copy": "insights restating the body or a note",
    "no_insight": "lines without an insight",
    "next_bad": "next lines generic, meta, a note's title or the question again",
    "few_next": "lines with fewer than 3 next lines",
    "multi_note_paragraphs": "body paragraphs citing 2+ notes",
    "paragraph_words": "words per body paragraph",
    "meta": "lines speaking of the notes or naming one by its id",
    "misstated": "lines with a sentence turning which way its notes go",
    "connective": "lines with a connective no cited note states",
    "repeated": "lines repeating an opener or a point",
    "off_question": "lines with a paragraph off the question",
    "contradiction": "lines whose answer contradicts their notes",
}
LOWER_IS_BETTER = frozenset(FIGURES) - {
    "reading_clean",
    "multi_note_paragraphs",
    "paragraph_words",
}
NEXT_KINDS = ("next_generic", "next_meta", "next_title", "next_question")
NoteReader = Callable[[str], Note | None]


def read_json(
    line: Mapping[str, Any],
    read_note: NoteReader,
    relatedness: Relatedness | None = None,
    titles: Sequence[str] = (),
) -> dict[str, Any]:
    """The reading row of one line in its JSON form; ``read_note`` gives a note by id (the index
    as it is now), ``relatedness`` the question's cosine to texts, ``titles`` every note title
    (a next line must restate none)."""
    data = saved.LineFile.model_validate(line)
    ids = [r.id for r in data.read] + saved.cited(data) + [s.id for s in data.sources]
    notes = {i: n for i in dict.fromkeys(ids) if (n := read_note(i)) is not None}
    built = saved.rebuild(data, notes)
    reading = read_line(built, notes, titles=titles, relatedness=relatedness)
    paragraphs = [p for p in built.body if p.sentences]
    return {
        "findings": [
            {"kind": f.kind, "part": f.part, "text": f.text, "detail": f.detail}
            for f in reading.findings
        ],
        "sentences": sum(len(p.sentences) for p in paragraphs),
        "paragraphs": len(paragraphs),
        "multi_note_paragraphs": sum(len(p.cites) >= 2 for p in paragraphs),
        "paragraph_words": [len(tokens(" ".join(s.text for s in p.sentences))) for p in paragraphs],
        "next_lines": len(built.next_lines),
        "insight": bool(insight_text(built.insight)),
        "copied": reading.copied,
        "copied_close": reading.copied_close,
        "body_words": reading.body_words,
    }


def summarize(rows: Sequence[Mapping[str, Any]]) -> dict[str, float | None]:
    """The rates of FIGURES over the reading rows of one system's lines."""
    if not rows:
        return dict.fromkeys(FIGURES)

    def kinds(row: Mapping[str, Any]) -> list[str]:
        return [f["kind"] for f in row["findings"]]

    def lines_with(*wanted: str) -> float:
        return sum(any(k in wanted for k in kinds(r)) for r in rows) / len(rows)

    def share(count: int, total: int) -> float | None:
        return count / total if total else None

    words = sum(r["body_words"] for r in rows)
    copied = sum((r["copied"] or 0.0) * r["body_words"] for r in rows)
    close = sum((r.get("copied_close") or 0.0) * r["body_words"] for r in rows)
    lengths = [n for r in rows for n in r["paragraph_words"]]
    return {
        "reading_clean": sum(not r["findings"] for r in rows) / len(rows),
        "fragments": share(
            sum(kinds(r).count("fragment") for r in rows), sum(r["sentences"] for r in rows)
        ),
        "copied": share(round(copied), words),
        "copied_close": share(round(close), words),
        "insight_copy": lines_with("insight_copy"),
        "no_insight": sum(not r.get("insight", True) for r in rows) / len(rows),
        "next_bad": share(
            sum(k in NEXT_KINDS for r in rows for k in kinds(r)),
            sum(r["next_lines"] for r in rows),
        ),
        "few_next": sum(r["next_lines"] < 3 for r in rows) / len(rows),
        "multi_note_paragraphs": share(
            sum(r["multi_note_paragraphs"] for r in rows), sum(r["paragraphs"] for r in rows)
        ),
        "paragraph_words": sum(lengths) / len(lengths) if lengths else None,
        "meta": lines_with("meta", "note_id"),
        "misstated": lines_with("misstated"),
        "connective": lines_with("connective"),
        "repeated": lines_with("repeated_opener", "repeated_point"),
        "off_question": lines_with("off_question"),
        "contradiction": lines_with("contradiction"),
    }


def _fmt(value: float | None, figure: str) -> str:
    if value is None:
        return "—"
    return f"{value:.0f}" if figure == "paragraph_words" else f"{value:.3f}"


def table(systems: Mapping[str, Mapping[str, Any]]) -> list[str]:
    """The reading figures of each system, as a Markdown table."""
    names = list(systems)
    out = ["| reading check | " + " | ".join(names) + " |", "| --- " * (len(names) + 1) + "|"]
    for figure, label in FIGURES.items():
        values = [(systems[n].get("summary") or {}).get(figure) for n in names]
        out.append(f"| {label} | " + " | ".join(_fmt(v, figure) for v in values) + " |")
    return out


def worst(system: Mapping[str, Any], count: int = 5, shown: int = 4) -> list[str]:
    """The lines with the most reading findings, each with the text that shows them."""
    rows = [r for r in system.get("lines") or [] if r.get("reading")]
    rows.sort(key=lambda r: (-len(r["reading"]["findings"]), r["question_id"]))
    out = []
    for row in rows[:count]:
        findings = row["reading"]["findings"]
        if not findings:
            break
        out.append(f"- `{row['question_id']}`: {len(findings)} findings")
        for f in findings[:shown]:
            text = f["text"] if len(f["text"]) <= 160 else f["text"][:157] + "…"
            out.append(f"  - {f['kind'].replace('_', ' ')}: “{text}” — {f['detail']}")
    return out


def section(systems: Mapping[str, Mapping[str, Any]]) -> list[str]:
    """The report's section on how the lines read."""
    out = [
        "## How the lines read",
        "",
        *table(systems),
        "",
        "The reading pass (reading.py) over every line as it was delivered: fragments (opening "
        "mid-sentence, with a note's answer words, or not a whole sentence), copied runs of "
        f"{RUN}+ words, insights that restate, repeated openers and points, sentences about the "
        "notes, sentences that turn which way their notes go (a negation, comparison, change, "
        "contrast or 'always' the cited notes lack), connectives the cited notes do not state, "
        "paragraphs off the question, answers "
        "that contradict the cited notes' own, and template, meta or title next lines.",
    ]
    for name, system in systems.items():
        listed = worst(system)
        if listed:
            out += ["", f"### {name}: the lines with the most reading findings", "", *listed]
    return out
