"""How the CLI shows things on a terminal: tables, problems, progress. Results to stdout,
diagnostics and progress to stderr."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.markup import escape
from rich.padding import Padding
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table
from rich.text import Text

from .config import LoadedSettings
from .corpus import Problem
from .indexer import IndexReport
from .types import Hit

if TYPE_CHECKING:
    from .batch import Progress as BatchProgress
    from .batch import Summary as BatchSummary
    from .ledger import Record
    from .pipeline import Event

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)


def print_settings(loaded: LoadedSettings) -> None:
    table = Table("setting", "value", "from", box=None, pad_edge=False)
    for name, value in loaded.settings.model_dump().items():
        shown = ", ".join(str(v) for v in value) if isinstance(value, list) else str(value)
        table.add_row(name, escape(shown), escape(loaded.origins[name]))
    out.print(table)
    source = loaded.config_file or "none (defaults, environment and flags only)"
    out.print(f"config file: {escape(str(source))}")


def print_problems(problems: Sequence[Problem], files: int) -> int:
    """Print problems grouped by file; return the number of errors."""
    for problem in sorted(problems, key=lambda p: (p.path, p.line or 0)):
        style = "red" if problem.severity == "error" else "yellow"
        err.print(f"[{style}]{escape(str(problem))}[/]")
    errors = sum(1 for p in problems if p.severity == "error")
    warnings = len(problems) - errors
    status = "[green]ok[/]" if not errors else "[red]failed[/]"
    err.print(f"{files} files checked: {errors} errors, {warnings} warnings — {status}")
    return errors


@contextmanager
def progress_bar(label: str) -> Iterator[Callable[[int, int], None]]:
    """A progress bar on stderr, driven by an (done, total) callback; silent when total is 0.
    Where stderr is no terminal (a log file, a pipe) a bar cannot redraw: a line is printed at
    each tenth of the way instead."""
    progress = Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=err,
        transient=True,
    )
    task = progress.add_task(label, total=None)
    started = False
    told = -1  # the last tenth printed where there is no terminal

    def update(done: int, total: int) -> None:
        nonlocal started, told
        if total and not err.is_terminal:
            tenth = done * 10 // total
            if tenth > told:
                err.print(f"{label}: {done} of {total}")
                told = tenth
            return
        if total and not started:
            progress.start()
            started = True
        progress.update(task, completed=done, total=total)

    try:
        yield update
    finally:
        if started:
            progress.stop()


def print_index_report(report: IndexReport, where: str) -> None:
    for problem in report.problems:
        style = "red" if problem.severity == "error" else "yellow"
        skipped = "" if "skipped" in problem.message else " (skipped)"
        err.print(f"[{style}]{escape(str(problem))}[/]{skipped}")
    if report.rebuilt:
        err.print(f"[yellow]index rebuilt: {escape(report.rebuilt)}[/]")
    parts = [
        f"{report.added} added",
        f"{report.updated} updated",
        f"{report.removed} removed",
        f"{report.unchanged} unchanged",
        f"{report.errors} errors",
    ]
    if len(report.problems) > report.errors:
        parts.append(f"{len(report.problems) - report.errors} warnings")
    if report.kept:
        parts.append(f"{report.kept} kept from before (their files are broken now)")
    err.print(f"indexed into {escape(where)}: " + ", ".join(parts) + f" in {report.seconds:.1f}s")


def print_hits(query: str, hits: Sequence[Hit], *, explain: bool = False) -> None:
    if not hits:
        err.print(f"no notes found for {query[:80]!r}")
        return
    for rank, hit in enumerate(hits, start=1):
        out.print(f"[bold]{rank}.[/] [cyan]{hit.score:.3f}[/]  [dim]{escape(hit.note_id)}[/]")
        body = Text.from_markup(f"[bold]{escape(hit.title)}[/]\n{escape(hit.summary)}\n")
        out.print(Padding(body, (0, 0, 0, 3)), soft_wrap=False)
        if explain:
            out.print(Padding(stage_line(hit), (0, 0, 1, 3)), soft_wrap=False)


def stage_line(hit: Hit) -> Text:
    """One line per hit: each stage's rank and score, in the order the stages ran."""
    line = Text()
    for stage in hit.stages:
        rank = f"#{stage.rank}" if stage.rank is not None else "-"
        line.append(f"{stage.name} ", style="bold")
        line.append(f"{rank} {stage.score:.3f}")
        if stage.detail:
            line.append(f" ({stage.detail})", style="dim")
        line.append("  ")
    return line


@contextmanager
def ask_progress(question: str, *, stream: bool) -> Iterator[Callable[[Event], None]]:
    """The agent's steps on stderr as they happen; the composed text on stdout as it streams
    (or on stderr, dimmed, when stdout is reserved for the finished document)."""
    started = False

    def on_event(event: Event) -> None:
        nonlocal started
        if event.kind == "token":
            if stream:
                if not started:
                    out.print("INQUIRING LINE\n", markup=False)
                    out.print(question + "\n", markup=False)
                    started = True
                out.print(event.message, end="", markup=False, highlight=False)
            return
        if event.kind in ("retrieved", "reading", "drafting", "verifying", "verified", "failed"):
            err.print(f"[dim]· {escape(event.message[:160])}[/]")

    yield on_event


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` whole or not at all: a temporary file, then a rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial")
    partial.write_text(text, encoding="utf-8")
    os.replace(partial, path)


# -- batch ------------------------------------------------------------------------------------


@contextmanager
def batch_progress() -> Iterator[Callable[[BatchProgress, Record | None], None]]:
    """A bar with ETA on stderr for a batch; each finished line is printed above it, and the
    step of each line in flight shows beside it."""
    progress = Progress(
        TextColumn("[bold]lines"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
        TextColumn("[dim]{task.fields[step]}"),
        console=err,
        transient=True,
    )
    task = progress.add_task("lines", total=None, step="")
    progress.start()

    def update(state: BatchProgress, record: Record | None) -> None:
        if record is not None:
            err.print(record_line(record))
        step = next(iter(state.in_flight.items()), None)
        shown = f"{step[0][:28]}: {step[1][:60]}" if step else ""
        if len(state.in_flight) > 1:
            shown += f" (+{len(state.in_flight) - 1} more)"
        progress.update(task, completed=state.finished, total=state.total, step=escape(shown))

    try:
        yield update
    finally:
        progress.stop()


STATUS_STYLE = {"done": "green", "rejected": "yellow", "failed": "red"}


def record_line(record: Record) -> str:
    """One finished question, for the log above the bar."""
    style = STATUS_STYLE.get(record.status, "white")
    why = ""
    if record.status == "failed":
        why = f" — {record.error.splitlines()[0][:120]}"
    elif record.status == "rejected":
        why = " — " + "; ".join(record.rejected)
    verdict = record.verification.get("summary") or record.verification.get("status", "")
    detail = f" [dim]({record.seconds:.0f} s; {escape(str(verdict))})[/]" if verdict else ""
    return f"[{style}]{record.status:>8}[/] {escape(record.id)}{escape(why)}{detail}"


def print_batch_summary(summary: BatchSummary, stats: dict[str, Any], out_dir: Path) -> None:
    """The table at the end of a batch, and the questions that need a look."""
    run, verification = stats["run"], stats["verification"]

    def num(value: float | None, form: str = "{:.2f}") -> str:
        return "—" if value is None else form.format(value)

    table = Table(box=None, pad_edge=False, show_header=False)
    table.add_column(style="bold")
    table.add_column()
    table.add_row(
        "questions",
        f"{stats['questions']}: [green]{stats['done']} done[/], "
        f"[yellow]{stats['rejected']} rejected[/], [red]{stats['failed']} failed[/]"
        + (f", {stats['skipped']} finished before this run" if stats["skipped"] else ""),
    )
    table.add_row(
        "this run",
        f"{run['lines']} lines in {run['seconds']:.0f} s at concurrency {stats['concurrency']} "
        f"({num(run['lines_per_minute'])} lines/min)",
    )
    table.add_row(
        "time per line",
        f"mean {num(run['mean_s'], '{:.1f}')} s, p95 {num(run['p95_s'], '{:.1f}')} s",
    )
    table.add_row(
        "tokens",
        f"{run['prompt_tokens']:,} prompt + {run['completion_tokens']:,} generated "
        f"in {run['calls']:,} calls",
    )
    table.add_row(
        "verification",
        f"{verification['passed']} passed, {verification['failed']} failed, "
        f"{verification['not_run']} not run; citation recall "
        f"{num(verification['citation_recall'])}, precision "
        f"{num(verification['citation_precision'])}; supported sentences "
        f"{num(verification['supported_share'])}; {verification['revised']} revised",
    )
    err.print(table)
    for status in ("rejected", "failed"):
        listed = [r for r in summary.records if r.status == status]
        if listed:
            err.print(f"\n[{STATUS_STYLE[status]}]{status}:[/]")
            for record in listed:
                err.print("  " + record_line(record))
    if stats["failed"]:
        err.print(
            f"\nrun again with --resume --out {escape(str(out_dir))} to retry the failed ones"
        )
    err.print(
        f"\nlines in {escape(str(out_dir))}/lines, ledger {escape(str(out_dir))}/ledger.jsonl"
    )
