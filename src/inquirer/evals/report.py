"""An eval run's results (results.json) and the Markdown report people read (report.md).

results.json holds everything the report shows, per line and in summary, so a later run can be
compared with it (compare.py) and the report rebuilt without running anything.
"""

from __future__ import annotations

import json
import os
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .answers import AnswerScore, summarize
from .claims import Claim, score
from .compare import Change, compare
from .retrieval import ModeResult, Question, table
from .suite import Plan, Scored, score_row

RESULTS = "results.json"
REPORT = "report.md"
PLOTS = {
    "metrics": "metrics.png",
    "latency": "latency.png",
    "heatmap": "heatmap.png",
}
METRICS = {  # the answer metrics, in the order the report shows them
    "source_recall": "source recall (gold notes cited)",
    "source_precision": "source precision",
    "citation_recall": "citation recall (ALCE)",
    "citation_precision": "citation precision (ALCE)",
    "supported": "sentences fully supported",
    "format_ok": "format compliance",
    "next_answerable": "next lines answerable",
    "next_novel": "next lines novel",
    "abstention_accuracy": "abstention on unanswerable",
    "answer_rate": "answered when answerable",
    "median_seconds": "median seconds per line",
    "mean_tokens": "mean tokens per line",
}


def verifier_results(
    claims: Sequence[Claim], rows: Mapping[str, Mapping[str, Any]]
) -> dict[str, Any]:
    """Binary scores of the verifier on the claims ("unsupported" flags; partial passes, as it
    does in a line)."""
    judged = [c for c in claims if c.id in rows]
    flags = [rows[c.id]["label"] == "unsupported" for c in judged]
    errors: dict[str, int] = {}
    for claim, flag in zip(judged, flags, strict=True):
        if flag == claim.supported:
            errors[claim.kind] = errors.get(claim.kind, 0) + 1
    seconds = [float(rows[c.id].get("seconds", 0.0)) for c in judged]
    return {
        **score(judged, flags).as_dict(),
        "errors_by_kind": dict(sorted(errors.items())),
        "median_seconds": round(statistics.median(seconds), 3) if seconds else None,
    }


def system_results(scored: Scored, questions: Sequence[Question]) -> dict[str, Any]:
    kinds = list(dict.fromkeys(q.kind for q in questions))
    return {
        "summary": summarize(scored.scores),
        "by_kind": {
            kind: summarize([s for s in scored.scores if s.kind == kind]) for kind in kinds
        },
        "failed": scored.failed,
        "missing": scored.missing,
        "line_seconds": round(sum(s.seconds for s in scored.scores), 1),
        "lines": [score_row(s) for s in scored.scores],
    }


def build_results(
    plan: Plan,
    *,
    retrieval: Sequence[ModeResult],
    systems: Mapping[str, Scored],
    claims: Mapping[str, Mapping[str, Any]],
    started: str,
    seconds: float,
) -> dict[str, Any]:
    return {
        "config": {
            **plan.config(),
            "cores": os.cpu_count(),
            "started": started,
            "finished": datetime.now(UTC).isoformat(timespec="seconds"),
            "seconds": round(seconds, 1),
        },
        "retrieval": [asdict(r) for r in retrieval],
        "systems": {name: system_results(s, plan.questions) for name, s in systems.items()},
        "verifier": verifier_results(plan.claims, claims),
        "comparison": None,
    }


def flatten(results: Mapping[str, Any]) -> dict[str, float | None]:
    """The run's headline figures under dotted names, for comparing two runs."""
    out: dict[str, float | None] = {}
    for name, system in results.get("systems", {}).items():
        for metric, value in system["summary"].items():
            out[f"{name}.{metric}"] = value
    for row in results.get("retrieval", []):
        for metric in ("recall_10", "ndcg_10", "mrr", "median_ms"):
            out[f"retrieval.{row['mode']}.{metric}"] = row[metric]
    verifier = results.get("verifier") or {}
    test = verifier.get("balanced_accuracy")
    out["verifier.balanced_accuracy"] = test
    return out


def comparison(before: Mapping[str, Any], after: Mapping[str, Any], where: str) -> dict[str, Any]:
    changes = compare(flatten(before), flatten(after))
    old, new = before.get("config", {}), after.get("config", {})
    differs = [k for k in ("model", "judge", "questions", "claims") if old.get(k) != new.get(k)]
    return {
        "previous": where,
        "previous_finished": old.get("finished"),
        "differs_in": differs,
        "changes": [asdict(c) for c in changes],
        "regressions": [c.metric for c in changes if c.regressed],
    }


def latest_report(parent: Path, exclude: Path) -> Path | None:
    """The most recently finished run beside ``exclude`` (its results.json), if any."""
    found: list[tuple[str, Path]] = []
    for path in parent.glob(f"*/{RESULTS}"):
        if path.parent.resolve() == exclude.resolve():
            continue
        try:
            finished = json.loads(path.read_text(encoding="utf-8"))["config"]["finished"]
        except (OSError, json.JSONDecodeError, KeyError, TypeError):
            continue
        found.append((str(finished), path.parent))
    return max(found)[1] if found else None


# -- the Markdown ---------------------------------------------------------------------------------


def _fmt(value: Any, metric: str = "") -> str:
    if value is None:
        return "—"
    if metric in ("median_seconds", "mean_tokens", "median_ms", "lines"):
        return f"{value:,.0f}" if metric != "median_ms" else f"{value:.1f}"
    return f"{value:.3f}" if isinstance(value, float) else str(value)


def _partial(systems: Mapping[str, Any], questions: int) -> list[str]:
    out = []
    for name, system in systems.items():
        made = questions - len(system.get("missing", []))
        hours = system.get("line_seconds", 0.0) / 3600
        out.append(f"{name}: {made} of {questions} lines made ({hours:.1f} h of line time).")
    if any(system.get("missing") for system in systems.values()):
        out.insert(
            0,
            "**A partial run: the figures below are over the lines made so far; the same "
            "command with this --out continues it.**",
        )
    return ["", *out] if out else []


def _duration(seconds: float) -> str:
    return f"{seconds:.0f} s" if seconds < 120 else f"{seconds / 60:.0f} min"


def _answers_table(systems: Mapping[str, Any]) -> list[str]:
    names = list(systems)
    head = "| metric | " + " | ".join(names) + (" | agent - baseline |" if len(names) > 1 else " |")
    lines = [head, "| --- " * (len(names) + 1 + (len(names) > 1)) + "|"]
    for metric, label in METRICS.items():
        values = [systems[n]["summary"].get(metric) for n in names]
        row = f"| {label} | " + " | ".join(_fmt(v, metric) for v in values) + " |"
        if len(names) > 1:
            a, b = values[0], values[1]
            delta = a - b if a is not None and b is not None else None
            shown = (
                "—" if delta is None else f"{delta:+.3f}" if abs(delta) < 10 else f"{delta:+,.0f}"
            )
            row += f" {shown} |"
        lines.append(row)
    return lines


def _kinds_table(system: Mapping[str, Any]) -> list[str]:
    chosen = ["lines", "source_recall", "citation_recall", "supported", "format_ok"]
    chosen += ["abstention_accuracy", "answer_rate", "median_seconds"]
    lines = ["| kind | " + " | ".join(METRICS.get(m, m) for m in chosen) + " |"]
    lines.append("| --- " * (len(chosen) + 1) + "|")
    for kind, summary in system["by_kind"].items():
        lines.append(f"| {kind} | " + " | ".join(_fmt(summary.get(m), m) for m in chosen) + " |")
    return lines


def _weakest(system: Mapping[str, Any], count: int = 5) -> list[str]:
    def badness(row: Mapping[str, Any]) -> float:
        parts = [row.get(k) for k in ("source_recall", "supported", "citation_recall")]
        known = [p for p in parts if p is not None]
        return sum(known) / len(known) if known else 1.0

    rows = sorted(system["lines"], key=badness)[:count]
    out = []
    for row in rows:
        problems = "; ".join(row["format_problems"]) or "format complete"
        out.append(
            f"- `{row['question_id']}` ({row['kind']}): source recall "
            f"{_fmt(row['source_recall'])}, supported {_fmt(row['supported'])}, citation "
            f"recall {_fmt(row['citation_recall'])} — {problems}"
        )
    return out


def _comparison(comp: Mapping[str, Any] | None) -> list[str]:
    if not comp:
        return ["No earlier report to compare with."]
    out = [f"Against `{comp['previous']}` (finished {comp['previous_finished']})."]
    if comp["differs_in"]:
        out.append(
            f"That run differs in {', '.join(comp['differs_in'])}: the figures compare only "
            "in part."
        )
    flagged = comp["regressions"]
    out.append(f"**Regressions: {', '.join(flagged)}**" if flagged else "No metric regressed.")
    out += ["", "| metric | before | after | change | |", "| --- | --- | --- | --- | --- |"]
    for c in comp["changes"]:
        change = Change(**c)
        mark = "REGRESSED" if change.regressed else "improved" if change.improved else ""
        kind = change.metric.rsplit(".", 1)[-1]
        delta = "—" if change.delta is None else f"{change.delta:+.3f}"
        out.append(
            f"| {change.metric} | {_fmt(change.before, kind)} | {_fmt(change.after, kind)} | "
            f"{delta} | {mark} |"
        )
    return out


def markdown(results: Mapping[str, Any], plots: Sequence[str]) -> str:
    config = results["config"]
    systems = results["systems"]
    verifier = results["verifier"]
    out = [
        f"# Eval report: {Path(config['suite']).stem} on {config['model']}",
        "",
        f"Ran {config['started']} to {config['finished']} ({_duration(config['seconds'])} "
        f"on {config['cores']} cores): {len(config['questions'])} of "
        f"{config['questions_available']} questions, "
        f"{len(config['claims'])} labelled claims; answering model `{config['model']}`, "
        f"judge `{config['judge']}`.",
        *_partial(systems, len(config["questions"])),
        "",
        "## Answers: the agent beside the naive-RAG baseline",
        "",
        *_answers_table(systems),
        "",
        "Source recall and precision are over the answerable questions; citation figures and "
        "supported sentences come from the verifier; next-line figures only exist for lines "
        "that have next lines (the baseline writes none).",
    ]
    for name, system in systems.items():
        out += ["", f"### {name}, by kind of question", "", *_kinds_table(system)]
        if system["failed"]:
            out += ["", f"Failed ({len(system['failed'])}):"]
            out += [
                f"- `{q}`: {e.splitlines()[0] if e else 'no error'}"
                for q, e in system["failed"].items()
            ]
    if "agent" in systems:
        out += ["", "### The agent's weakest lines", "", *_weakest(systems["agent"])]
    out += ["", "## Retrieval", ""]
    out.append(
        table([ModeResult(**r) for r in results["retrieval"]])
        if results["retrieval"]
        else "Not run."
    )
    out += [
        "",
        "## The verifier on labelled claims",
        "",
        f"{verifier['n']} claims: balanced accuracy {_fmt(verifier.get('balanced_accuracy'))}, "
        f"precision {_fmt(verifier.get('precision_unsupported'))} and recall "
        f"{_fmt(verifier.get('recall_unsupported'))} at catching unsupported claims; confusion "
        f"{verifier['confusion']}; median {_fmt(verifier.get('median_seconds'))} s a claim.",
        "",
        "Errors by kind of claim: "
        + (", ".join(f"{k} {v}" for k, v in verifier["errors_by_kind"].items()) or "none"),
        "",
        "## Against the previous report",
        "",
        *_comparison(results.get("comparison")),
    ]
    if plots:
        out += ["", "## Plots", ""] + [f"![{Path(p).stem}]({p})" for p in plots]
    return "\n".join(out) + "\n"


def scores_of(system: Mapping[str, Any]) -> list[AnswerScore]:
    """The per-line scores back from results.json (for the plots)."""
    rows = []
    for row in system["lines"]:
        fields = {k: v for k, v in row.items() if k != "format_ok"}
        fields["format_problems"] = tuple(fields["format_problems"])
        rows.append(AnswerScore(**fields))
    return rows
