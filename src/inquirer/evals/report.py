"""An eval run's results (results.json) and the Markdown report people read (report.md).

results.json holds everything the report shows, per line and in summary, so a later run can be
compared with it (compare.py) and the report rebuilt without running anything.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ..errors import InquirerError
from . import readability
from .answers import summarize
from .compare import Change, compare
from .funnel import STAGES, pooled
from .retrieval import ModeResult, Question, table
from .suite import DEFAULT_BUDGET, Plan, Scored, score_row
from .verifier_scores import verifier_results, verifier_section, verifier_sets

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
    "supported": "sentences supported, fully or in part",
    "format_ok": "format compliance",
    "next_answerable": "next lines answerable",
    "next_novel": "next lines novel",
    "abstention_accuracy": "abstention on unanswerable",
    "answer_rate": "answered when answerable",
    "median_seconds": "median seconds per line",
    "mean_tokens": "mean tokens per line",
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
        "complete": not scored.failed and not scored.missing,
        "line_seconds": round(sum(s.seconds for s in scored.scores), 1),
        "funnel": pooled([s.funnel for s in scored.scores if s.funnel is not None]),
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
    """``started`` is when the run was first started (it may have been resumed since);
    ``seconds`` what this invocation took."""
    parts = {name: system_results(s, plan.questions) for name, s in systems.items()}
    return {
        "config": {
            **plan.config(),
            "cores": os.cpu_count(),
            "started": started,
            "finished": datetime.now(UTC).isoformat(timespec="seconds"),
            "seconds": round(seconds, 1),
            "complete": all(part["complete"] for part in parts.values()),
        },
        "retrieval": [asdict(r) for r in retrieval],
        "systems": parts,
        "verifier": verifier_results([c for c in plan.claims if c.set == "claims"], claims),
        "verifier_sets": verifier_sets(plan.claims, claims),
        "comparison": None,
    }


def flatten(results: Mapping[str, Any]) -> dict[str, float | None]:
    """The run's headline figures under dotted names, for comparing two runs."""
    out: dict[str, float | None] = {}
    for name, system in (results.get("systems") or {}).items():
        for metric, value in (system.get("summary") or {}).items():
            out[f"{name}.{metric}"] = value
        funnel = system.get("funnel") or {}  # absent from reports written before it
        for stage in STAGES:
            if stage in funnel:
                out[f"{name}.gold_{stage}"] = funnel[stage]
    for row in results.get("retrieval") or []:
        for metric in ("recall_10", "ndcg_10", "mrr", "median_ms"):
            out[f"retrieval.{row.get('mode')}.{metric}"] = row.get(metric)
    out["verifier.balanced_accuracy"] = (results.get("verifier") or {}).get("balanced_accuracy")
    for name, figures in (results.get("verifier_sets") or {}).items():
        if name != "claims":
            out[f"verifier.{name}.balanced_accuracy"] = figures.get("balanced_accuracy")
    return out


def comparison(before: Mapping[str, Any], after: Mapping[str, Any], where: str) -> dict[str, Any]:
    changes = compare(flatten(before), flatten(after))
    old, new = before.get("config") or {}, after.get("config") or {}
    differs = [k for k in ("model", "judge", "questions", "claims") if old.get(k) != new.get(k)]
    # on other questions or claims the figures measure other things: nothing is a regression
    comparable = "questions" not in differs and "claims" not in differs
    return {
        "previous": where,
        "previous_finished": old.get("finished"),
        "differs_in": differs,
        "comparable": comparable,
        "changes": [asdict(c) for c in changes],
        "regressions": [c.metric for c in changes if c.regressed] if comparable else [],
    }


def latest_report(parent: Path, exclude: Path, suite: str | None = None) -> Path | None:
    """The most recently finished complete run beside ``exclude`` (of ``suite`` where given):
    partial runs and other suites are passed over."""
    found: list[tuple[str, Path]] = []
    for path in parent.glob(f"*/{RESULTS}"):
        if path.parent.resolve() == exclude.resolve():
            continue
        try:
            config = json.loads(path.read_text(encoding="utf-8"))["config"]
            finished, complete = str(config["finished"]), config.get("complete", True)
        except (OSError, json.JSONDecodeError, KeyError, TypeError):
            continue
        if complete and (suite is None or config.get("suite_name", suite) == suite):
            found.append((finished, path.parent))
    return max(found)[1] if found else None


def read_results(folder: Path) -> dict[str, Any]:
    """A report folder's results.json, or a clear error."""
    path = folder / RESULTS
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise InquirerError(
            f"cannot compare with {folder}: {path} cannot be read ({exc})",
            hint="pass --compare the folder of a finished eval run",
        ) from None
    if not isinstance(data, dict):
        raise InquirerError(f"cannot compare with {folder}: {path} is not a results file")
    return data


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
        made = len(system["lines"])
        hours = system.get("line_seconds", 0.0) / 3600
        failed = f", {len(system['failed'])} failed" if system["failed"] else ""
        missing = f", {len(system['missing'])} not made yet" if system.get("missing") else ""
        out.append(
            f"- {name}: {made} of {questions} lines made{failed}{missing} "
            f"({hours:.1f} h of line time)."
        )
    if any(system["failed"] or system.get("missing") for system in systems.values()):
        out.insert(
            0,
            "**A partial run: the figures below are over the lines made so far; the same "
            "command with this --out retries the failed lines and makes the rest.**\n",
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


FUNNEL = {  # the funnel's figures, in the order its table shows them
    "found": "found by search",
    "read": "read",
    "kept": "kept by the judge",
    "cited": "cited",
    "kept_of_gold_read": "judge kept, of gold read",
    "kept_of_other_read": "judge kept, of others read",
}


def _funnel_table(systems: Mapping[str, Any]) -> list[str]:
    """Per system, the share of the gold notes that reached each stage (funnel.py)."""
    rows = {n: s.get("funnel") or {} for n, s in systems.items() if (s.get("funnel") or {})}
    if not rows or not any(f.get("gold") for f in rows.values()):
        return ["No answerable question has a line yet."]
    lines = ["| system | gold notes | " + " | ".join(FUNNEL.values()) + " |"]
    lines.append("| --- " * (len(FUNNEL) + 2) + "|")
    for name, figures in rows.items():
        cells = " | ".join(_fmt(figures.get(key)) for key in FUNNEL)
        lines.append(f"| {name} | {_fmt(figures.get('gold'), 'lines')} | {cells} |")
    return lines


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def _kinds_table(system: Mapping[str, Any]) -> list[str]:
    chosen = ["lines", "source_recall", "citation_recall", "supported", "format_ok"]
    chosen += ["abstention_accuracy", "answer_rate", "median_seconds"]
    lines = ["| kind | " + " | ".join(METRICS.get(m, m) for m in chosen) + " |"]
    lines.append("| --- " * (len(chosen) + 1) + "|")
    for kind, summary in system["by_kind"].items():
        figures = " | ".join(_fmt(summary.get(m), m) for m in chosen)
        lines.append(f"| {_cell(kind)} | {figures} |")
    return lines


def _weakest(system: Mapping[str, Any], count: int = 5) -> list[str]:
    """The lines with the lowest mean of source recall, support and citation recall; a line
    that answered an unanswerable question, or declined an answerable one, counts as 0."""

    def strength(row: Mapping[str, Any]) -> float:
        if row["answered"] != row["answerable"]:
            return 0.0
        parts = [row.get(k) for k in ("source_recall", "supported", "citation_recall")]
        known = [p for p in parts if p is not None]
        return sum(known) / len(known) if known else 1.0

    out = []
    for row in sorted(system["lines"], key=strength)[:count]:
        problems = "; ".join(row["format_problems"]) or "format complete"
        wrong = ""
        if row["answered"] != row["answerable"]:
            wrong = (
                "answered a question the corpus cannot answer; "
                if row["answered"]
                else ("declined a question the corpus answers; ")
            )
        out.append(
            f"- `{row['question_id']}` ({_cell(row['kind'])}): {wrong}source recall "
            f"{_fmt(row['source_recall'])}, supported {_fmt(row['supported'])}, citation "
            f"recall {_fmt(row['citation_recall'])} — {problems}"
        )
    return out


def _comparison(comp: Mapping[str, Any] | None) -> list[str]:
    if not comp:
        return ["No earlier report to compare with."]
    out = [f"Against `{comp['previous']}` (finished {comp['previous_finished']})."]
    if not comp.get("comparable", True):
        out.append(
            f"That run differs in {', '.join(comp['differs_in'])}: the figures compare only "
            "in part, and no change is called a regression."
        )
    elif comp["differs_in"]:
        out.append(f"That run differs in {', '.join(comp['differs_in'])}.")
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


def _budget(config: dict[str, Any]) -> str:
    budget = config.get("agent_budget") or DEFAULT_BUDGET
    enough = f", stopping at {budget['enough']} relevant notes" if "enough" in budget else ""
    return f"{budget['searches']} searches and {budget['reads']} reads per question{enough}"


def markdown(results: Mapping[str, Any], plots: Sequence[str]) -> str:
    config = results["config"]
    systems = results["systems"]
    verifier = results["verifier"]
    out = [
        f"# Eval report: {Path(config['suite']).stem} on {config['model']}",
        "",
        f"Started {config['started']}, report written {config['finished']} (this invocation "
        f"{_duration(config['seconds'])}, {config['cores']} cores): "
        f"{len(config['questions'])} of "
        f"{config['questions_available']} questions, "
        f"{len(config['claims'])} labelled claims; answering model `{config['model']}`, "
        f"judge `{config['judge']}`; the agent's budget {_budget(config)}.",
        *_partial(systems, len(config["questions"])),
    ]
    if not config["questions"]:  # a suite with lines = false: the verifier only
        return (
            "\n".join(
                [
                    *out,
                    "",
                    "No lines were made in this run (the suite sets `lines = false`).",
                    "",
                    "## The verifier on labelled claims",
                    "",
                    *verifier_section(results.get("verifier_sets") or {"claims": verifier}),
                ]
            )
            + "\n"
        )
    out += [
        "",
        "## Answers: the agent beside the naive-RAG baseline"
        if "baseline" in systems
        else "## Answers (no baseline in this run)",
        "",
        *_answers_table(systems),
        "",
        "Source recall and precision are over the answerable questions. The verifier gives "
        "the citation figures (citation recall: sentences fully supported by the notes they "
        "cite) and the sentences supported fully or in part (not flagged). Next-line figures "
        "exist only for lines with next lines (the baseline writes none).",
        "",
        *readability.section(systems),
    ]
    for name, system in systems.items():
        out += ["", f"### {name}, by kind of question", "", *_kinds_table(system)]
        if system["failed"]:
            out += ["", f"Failed ({len(system['failed'])}):"]
            out += [
                f"- `{q}`: {e.splitlines()[0] if e else 'no error'}"
                for q, e in system["failed"].items()
            ]
    if systems.get("agent", {}).get("lines"):
        out += ["", "### The agent's weakest lines", "", *_weakest(systems["agent"])]
    out += [
        "",
        "## Where the gold notes are lost",
        "",
        *_funnel_table(systems),
        "",
        "Shares of all the answerable questions' gold notes: turned up by a search or a "
        "followed link, read, kept by the agent's judge, cited in the line (the baseline "
        "reads its top hits and keeps them all). The judge's two keep rates show how well it "
        "tells gold notes from the others it read.",
        "",
        "## Retrieval",
        "",
    ]
    out.append(
        table([ModeResult(**r) for r in results["retrieval"]])
        if results["retrieval"]
        else "Not scored: the questions name no relevant notes."
    )
    out += [
        "",
        "## The verifier on labelled claims",
        "",
        *verifier_section(results.get("verifier_sets") or {"claims": verifier}),
        "",
        "## Against the previous report",
        "",
        *_comparison(results.get("comparison")),
    ]
    if plots:
        out += ["", "## Plots", ""] + [f"![{Path(p).stem}]({p})" for p in plots]
    return "\n".join(out) + "\n"
