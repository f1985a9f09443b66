"""``inquirer batch``: many lines from a questions file, or ``--suggest N`` new questions.

The questions file is read and checked before any model loads, so a bad file costs nothing.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from .cli_params import Share
from .errors import InquirerError

if TYPE_CHECKING:
    from .batch import Batch
    from .cli import Context
    from .config import Settings
    from .gates import Gates
    from .pipeline import Pipeline
    from .questions import QuestionFile

SUGGESTED = "suggested.txt"


@click.command("batch")
@click.argument("questions_file", required=False, type=click.Path(path_type=Path))
@click.option(
    "--out",
    "out_dir",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for the lines, the ledger and the summary.",
)
@click.option(
    "-c",
    "--concurrency",
    type=click.IntRange(1, 64),
    default=1,
    show_default=True,
    help="Lines made at once (the local model serves as many requests in parallel).",
)
@click.option("--resume", is_flag=True, help="Continue the batch in --out: skip finished lines.")
@click.option("--model", help="local/<name> or a litellm model string (default: the setting).")
@click.option("--no-verify", is_flag=True, help="Skip the verifier pass.")
@click.option("--obsidian", is_flag=True, help="Markdown citations as [[id|title]] wiki links.")
@click.option(
    "--write-back", is_flag=True, help="Add verified lines to the corpus as notes, and index them."
)
@click.option(
    "--write-back-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Where written-back notes go (implies --write-back; default: lines/ in the first "
    "corpus folder).",
)
@click.option("--min-citation-recall", type=Share(), help="Reject lines below.")
@click.option("--min-citation-precision", type=Share(), help="Reject lines below.")
@click.option("--min-supported", type=Share(), help="Reject below this supported share.")
@click.option("--min-sources", type=click.IntRange(0), help="Reject lines with fewer sources.")
@click.option("--require-passed", is_flag=True, help="Reject lines that fail verification.")
@click.option(
    "--suggest",
    type=click.IntRange(1, 500),
    metavar="N",
    help=f"Propose N new questions into OUT/{SUGGESTED} instead of making lines.",
)
@click.pass_obj
def batch_cmd(
    obj: Context,
    questions_file: Path | None,
    out_dir: Path,
    concurrency: int,
    resume: bool,
    model: str | None,
    no_verify: bool,
    obsidian: bool,
    write_back: bool,
    write_back_dir: Path | None,
    min_citation_recall: float | None,
    min_citation_precision: float | None,
    min_supported: float | None,
    min_sources: int | None,
    require_passed: bool,
    suggest: int | None,
) -> None:
    """Make an inquiring line for every question in QUESTIONS_FILE (one question a line, or
    JSONL with id, question and options), into --out; or, with --suggest N, propose questions.

    Each line is written as Markdown and JSON under OUT/lines, with a record in
    OUT/ledger.jsonl. Killing a batch loses only the lines in flight; --resume skips the
    finished ones and retries the failed ones."""
    from .gates import Gates

    settings = obj.loaded.settings
    if suggest is not None:
        if questions_file is not None:
            raise InquirerError(
                "--suggest proposes questions; it takes no QUESTIONS_FILE",
                hint=f"run --suggest first, then: inquirer batch {out_dir}/{SUGGESTED} "
                f"--out {out_dir} --resume",
            )
        run_suggest(settings, out_dir, suggest, model)
        return
    if questions_file is None:
        raise InquirerError(
            "batch needs a QUESTIONS_FILE (or --suggest N)",
            hint="write one question a line to a file, then: inquirer batch FILE --out DIR",
        )
    qfile = read_questions(questions_file)
    settings = settings.model_copy(
        update={"llm_parallel": max(settings.llm_parallel, concurrency)}
        | ({"verify": False} if no_verify else {})
    )
    gates = Gates(
        min_citation_recall=min_citation_recall,
        min_citation_precision=min_citation_precision,
        min_supported=min_supported,
        min_sources=min_sources,
        require_passed=require_passed,
    )
    batch = build_batch(
        settings,
        out_dir,
        concurrency=concurrency,
        model=model,
        gates=gates,
        obsidian=obsidian,
        write_back=write_back_dir or (_default_write_back(settings) if write_back else None),
    )
    todo = batch.pending(qfile.questions, resume=resume)  # refuses early, before models load
    click.echo(
        f"{len(todo)} of {len(qfile.questions)} questions to do"
        + (f" ({len(qfile.questions) - len(todo)} finished before)" if resume else ""),
        err=True,
    )
    run_batch(batch, qfile, resume=resume)


def read_questions(path: Path) -> QuestionFile:
    from .console import err
    from .questions import load

    qfile = load(path)
    for problem in qfile.problems:
        err.print(f"[red]{problem}[/] (skipped)", markup=True, highlight=False)
    for dup in qfile.duplicates:
        err.print(
            f"[yellow]{path}:{dup.line}: repeats line {dup.first.line} "
            f"({dup.first.id}); asked once[/]"
        )
    if not qfile.questions:
        raise InquirerError(
            f"{path} holds no questions"
            + (f" ({len(qfile.problems)} lines had problems)" if qfile.problems else ""),
            hint='one question a line, or JSONL lines such as {"question": "..."}',
        )
    return qfile


def _default_write_back(settings: Settings) -> Path:
    from .corpus import resolve_roots

    return resolve_roots(settings.corpus_paths)[0] / "lines"


def build_batch(
    settings: Settings,
    out_dir: Path,
    *,
    concurrency: int,
    model: str | None,
    gates: Gates,
    obsidian: bool,
    write_back: Path | None,
) -> Batch:
    from .batch import Batch, PipelinePool
    from .pipeline import build_pipeline
    from .questions import QuestionOptions
    from .services import build_embedder, build_indexer
    from .writeback import CorpusWriteBack

    embedder = build_embedder(settings)

    def build(options: QuestionOptions) -> Pipeline:
        chosen = settings
        if options.verify is not None:
            chosen = settings.model_copy(update={"verify": options.verify})
        return build_pipeline(chosen, model=options.model or model, embedder=embedder)

    pool = PipelinePool(build)
    first = build(QuestionOptions())  # a missing index or model fails here, once
    first.retriever.note_count()
    pool.release(QuestionOptions(), first)
    writer = None
    if write_back is not None:
        writer = CorpusWriteBack(
            write_back.expanduser().resolve(), build_indexer(settings, embedder)
        )
    return Batch(
        out_dir,
        pool,
        concurrency=concurrency,
        gates=gates,
        write_back=writer,
        obsidian=obsidian,
    )


def run_batch(batch: Batch, qfile: QuestionFile, *, resume: bool) -> None:
    from .console import batch_progress, print_batch_summary, write_atomic

    try:
        with batch_progress() as on_progress:
            summary = batch.run(qfile.questions, resume=resume, on_progress=on_progress)
    except KeyboardInterrupt:
        finished = len(batch.summary.ran) if batch.summary else 0
        click.echo(
            f"interrupted: {finished} lines finished this run are kept in the ledger; "
            f"lines in flight stop at their next step. Continue with --resume --out {batch.out}",
            err=True,
        )
        raise SystemExit(130) from None
    stats = summary.stats()
    stats["problems"] = [str(p) for p in qfile.problems]
    stats["duplicates"] = [{"line": d.line, "repeats": d.first.id} for d in qfile.duplicates]
    write_atomic(batch.out / "summary.json", json.dumps(stats, indent=2) + "\n")
    print_batch_summary(summary, stats, batch.out)
    if stats["failed"]:
        sys.exit(1)


def run_suggest(settings: Settings, out_dir: Path, n: int, model: str | None) -> None:
    from .console import progress_bar, write_atomic
    from .ledger import Ledger
    from .services import build_llm, build_retriever
    from .suggest import Suggester

    records = Ledger(out_dir).read()
    asked = [r.question for r in records.values()]
    used: set[str] = set()
    next_lines: list[tuple[str, str]] = []
    for record in records.values():
        path = out_dir / record.outputs.get("json", "")
        if not record.outputs.get("json") or not path.is_file():
            continue
        data = json.loads(path.read_text(encoding="utf-8"))
        used.update(s["id"] for s in data.get("sources", []))
        next_lines += [(q, f"next line of {record.id}") for q in data.get("next_lines", [])]
    suggester = Suggester(build_llm(settings, model), build_retriever(settings))
    with progress_bar("proposing questions") as on_progress:
        found = suggester.suggest(
            n, asked=asked, used=used, next_lines=next_lines, on_progress=on_progress
        )
    target = out_dir / SUGGESTED
    header = f"# {len(found)} questions proposed by inquirer batch --suggest {n}"
    write_atomic(target, "\n".join([header, *(s.question for s in found)]) + "\n")
    for suggestion in found:
        click.echo(suggestion.question)
    short = f" (only {len(found)} passed the checks)" if len(found) < n else ""
    click.echo(
        f"wrote {len(found)} questions to {target}{short}; make their lines with: "
        f"inquirer batch {target} --out {out_dir}" + (" --resume" if records else ""),
        err=True,
    )
