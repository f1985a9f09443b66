"""How the CLI shows things on a terminal: tables, problems, progress. Results to stdout,
diagnostics and progress to stderr."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

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
    """A progress bar on stderr, driven by an (done, total) callback; silent when total is 0."""
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

    def update(done: int, total: int) -> None:
        nonlocal started
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
        err.print(f"[red]{escape(str(problem))}[/] (skipped)")
    if report.rebuilt:
        err.print(f"[yellow]index rebuilt: {escape(report.rebuilt)}[/]")
    parts = [
        f"{report.added} added",
        f"{report.updated} updated",
        f"{report.removed} removed",
        f"{report.unchanged} unchanged",
        f"{report.errors} errors",
    ]
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
