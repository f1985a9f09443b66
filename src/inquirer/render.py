"""A Line in its three forms (FORMAT.md): JSON, the machine form with everything; Markdown,
rendered from the JSON; and plain text for the terminal."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from .types import Line, Verdict

HEADING = "INQUIRING LINE"


def line_id(line: Line) -> str:
    return hashlib.sha256(f"{line.question}\0{line.created}".encode()).hexdigest()[:12]


def to_json(line: Line) -> dict[str, Any]:
    """Every part, citations per sentence, the agent's trace, timings and token usage."""
    return {
        "id": line_id(line),
        "question": line.question,
        "asked": line.asked or line.question,
        "answered": line.answered,
        "framing": line.framing,
        "body": [
            {
                "cites": list(p.cites),
                "sentences": [{"text": s.text, "cites": list(s.cites)} for s in p.sentences],
            }
            for p in line.body
        ],
        "insight": line.insight,
        "sources": [
            {"id": s.note_id, "title": s.title, "summary": s.summary} for s in line.sources
        ],
        "next_lines": list(line.next_lines),
        "verification": verdict_json(line.verdict),
        "model": line.model,
        "created": line.created,
        "corpus": line.corpus,
        "timings": line.timings,
        "usage": line.usage,
        "read": [
            {
                "id": r.note.id,
                "title": r.note.title,
                "version": r.note.fingerprint,
                "relevant": r.relevant,
                "reason": r.reason,
            }
            for r in line.evidence.read
        ],
        "trace": [
            {k: v for k, v in vars(step).items() if v not in (None, "")}
            for step in line.evidence.trace
        ],
    }


def verdict_json(verdict: Verdict | None) -> dict[str, Any]:
    if verdict is None:
        return {"status": "not run", "reason": "the line has not been verified"}
    return {
        "status": verdict.status,
        "summary": verdict.describe(),
        "reason": verdict.reason,
        "citation_recall": verdict.citation_recall,
        "citation_precision": verdict.citation_precision,
        "judges": list(verdict.judges),
        "seconds": verdict.seconds,
        "sentences": [
            {
                "paragraph": s.paragraph,
                "index": s.index,
                "text": s.text,
                "cites": list(s.cites),
                "label": s.label,
                "support": s.support,
                "scores": s.scores,
                "problems": list(s.problems),
                "imprecise": list(s.imprecise),
            }
            for s in verdict.sentences
        ],
        "failures": [{"kind": f.kind, "detail": f.detail} for f in verdict.failures],
        "copied": verdict.copied,
        "reading": [
            {
                "kind": f.kind,
                "part": f.part,
                "paragraph": f.paragraph,
                "index": f.index,
                "text": f.text,
                "detail": f.detail,
            }
            for f in verdict.reading
        ],
        "next_lines": [
            {"question": c.question, "answerable": c.answerable, "novel": c.novel}
            for c in verdict.next_lines
        ],
        "changes": [
            {
                "paragraph": c.paragraph,
                "index": c.index,
                "before": c.before,
                "after": c.after,
                "reason": c.reason,
            }
            for c in verdict.changes
        ],
    }


def verification_lines(data: dict[str, Any]) -> list[str]:
    """The verification block: the verdict, then what was flagged and what revision changed."""
    verdict = data.get("verification") or {"status": "not run"}
    if verdict["status"] == "not run":
        return [f"Not run: {verdict.get('reason') or 'no reason given'}."]
    out = [f"**{verdict['status'].upper()}** — {verdict['summary']}."]
    recall, precision = verdict.get("citation_recall"), verdict.get("citation_precision")
    if recall is not None and precision is not None:
        out[0] += f" Citation recall {recall:.2f}, precision {precision:.2f}."
    if verdict.get("judges"):
        out[0] += f" Judged by {', '.join(verdict['judges'])}."
    flagged = [s for s in verdict["sentences"] if s["label"] in ("unsupported", "partial")]
    if flagged:
        out += ["", "Flagged sentences:"]
        out += [
            f"- {s['label']}: “{s['text']}” — {'; '.join(s['problems']) or 'judged weak'}"
            for s in flagged
        ]
    if verdict["failures"]:
        out += ["", "Failed checks:"]
        out += [f"- {f['kind']}: {f['detail']}" for f in verdict["failures"]]
    if verdict.get("reading"):
        out += ["", "A reader would trip on:"]
        out += [
            f"- {f['kind'].replace('_', ' ')} ({_where(f)}): “{f['text']}” — {f['detail']}"
            for f in verdict["reading"]
        ]
    if verdict["changes"]:
        out += ["", "Revised once:"]
        for c in verdict["changes"]:
            after = f"“{c['after']}”" if c["after"] else "dropped"
            out.append(f"- “{c['before']}” → {after} ({c['reason']})")
    return out


def _where(finding: dict[str, Any]) -> str:
    if finding["part"] == "body":
        sentence = f", sentence {finding['index'] + 1}" if finding["index"] >= 0 else ""
        return f"paragraph {finding['paragraph'] + 1}{sentence}"
    if finding["part"] == "next":
        return f"next line {finding['index'] + 1}"
    return str(finding["part"])


def dumps(line: Line) -> str:
    return json.dumps(to_json(line), indent=2, ensure_ascii=False) + "\n"


def _titles(data: dict[str, Any]) -> dict[str, str]:
    return {s["id"]: s["title"] for s in data["sources"]}


def markdown(data: dict[str, Any], *, obsidian: bool = False) -> str:
    """Markdown from the JSON form: front matter, the parts in order, citations as links."""
    titles = _titles(data)

    def cite(note_id: str) -> str:
        title = titles.get(note_id, note_id)
        return f"[[{note_id}|{title}]]" if obsidian else f"[{title}](note:{note_id})"

    verification = data.get("verification") or {"status": "not run"}
    status = verification.get("summary") or verification.get("status", "not run")
    front = {
        "id": data["id"],
        "question": data["question"],
        "model": data["model"],
        "created": data["created"],
        "corpus": data["corpus"],
        "verification": status,
    }
    out = ["---", *(f"{k}: {json.dumps(v, ensure_ascii=False)}" for k, v in front.items()), "---"]
    out += ["", f"# {HEADING}", "", f"**{data['question']}**", "", data["framing"], ""]
    for paragraph in data["body"]:
        out.append(
            " ".join(
                s["text"] + " " + ", ".join(cite(c) for c in s["cites"])
                for s in paragraph["sentences"]
            )
        )
        out.append("")
    out += [data["insight"], "", f"## Sources · {len(data['sources'])} notes", ""]
    for source in data["sources"]:
        out += [f"- **{source['title']}** (`{source['id']}`) — {source['summary']}"]
    out += ["", "## Next inquiring lines", ""]
    out += [f"{i}. {q}" for i, q in enumerate(data["next_lines"], start=1)]
    out += ["", "## Verification", "", *verification_lines(data)]
    return "\n".join(out) + "\n"


def text(data: dict[str, Any]) -> str:
    """Plain text: each claim followed by its notes' titles in parentheses."""
    titles = _titles(data)
    out = [HEADING, "", data["question"], "", data["framing"], ""]
    for paragraph in data["body"]:
        out.append(
            " ".join(
                s["text"].rstrip(".")
                + " ("
                + "; ".join(titles.get(c, c) for c in s["cites"])
                + ")."
                for s in paragraph["sentences"]
            )
        )
        out.append("")
    out += [data["insight"], "", f"Sources · {len(data['sources'])} notes", ""]
    for source in data["sources"]:
        out += [f"  {source['title']}", f"    {source['summary']}", ""]
    out += ["Next inquiring lines", ""]
    out += [f"  {i}. {q}" for i, q in enumerate(data["next_lines"], start=1)]
    block = [line.replace("**", "") for line in verification_lines(data)]
    out += ["", "Verification", "", *(f"  {line}" if line else "" for line in block)]
    return "\n".join(out) + "\n"


def render(line: Line, form: str, *, obsidian: bool = False) -> str:
    data = to_json(line)
    if form == "json":
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    return markdown(data, obsidian=obsidian) if form == "md" else text(data)
