"""``inquirer eval``: the eval suite on this corpus and model, with a report to read.

The suite file is read and the run folder checked before any model loads. Lines are made
through batch (one folder per system, with its ledger), so an interrupted eval resumes where it
stopped when run again with the same --out.
"""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from .errors import InquirerError

if TYPE_CHECKING:
    from .batch import Batch, LineMaker
    from .cli import Context
    from .config import Settings
    from .embeddings import Embedder
    from .evals.suite import Plan
    from .pipeline import Pipeline
    from .questions import Question


@click.command("eval")
@click.option(
    "--suite",
    "suite_file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("evals/suite.toml"),
    show_default=True,
    help="The suite file: eval sets, retrieval modes, limits.",
)
@click.option("--model", help="Answering model: local/<name> or a litellm model string.")
@click.option("--judge", help="The verifier's judge model (default: the verify_model setting).")
@click.option("--limit", type=click.IntRange(1), help="At most N questions, every kind kept.")
@click.option(
    "--baseline/--no-baseline",
    default=None,
    help="Make the naive-RAG baseline's lines too (default: the suite's setting).",
)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Run folder (default: reports/<date>-<suite>-<model> beside the suite file). An "
    "unfinished run there is resumed.",
)
@click.option(
    "--compare",
    "compare_dir",
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    help="An earlier report folder to compare with (default: the newest complete run of the "
    "same suite beside --out).",
)
@click.option("-c", "--concurrency", type=click.IntRange(1, 64), help="Lines made at once.")
@click.option(
    "--report-only",
    is_flag=True,
    help="Write the report from what --out holds now (a partial run too); make no lines.",
)
@click.pass_obj
def eval_cmd(
    obj: Context,
    suite_file: Path,
    model: str | None,
    judge: str | None,
    limit: int | None,
    baseline: bool | None,
    out_dir: Path | None,
    compare_dir: Path | None,
    concurrency: int | None,
    report_only: bool,
) -> None:
    """Score the agent's lines (and the naive-RAG baseline's) on the suite's questions:
    retrieval, source and citation metrics, format, next lines, abstention, the verifier on
    labelled claims, time and tokens. Writes results.json, report.md and plots to --out."""
    from .evals.suite import load_suite, make_plan, start_run
    from .local_model import best_installed
    from .services import judge_model

    suite = load_suite(suite_file)
    settings = obj.loaded.settings
    parallel = concurrency or suite.config.concurrency
    settings = settings.model_copy(
        update={"verify": True, "llm_parallel": max(settings.llm_parallel, parallel)}
        | ({"verify_model": judge} if judge else {})
    )
    answering = model or settings.model or best_installed()
    plan = make_plan(
        suite,
        limit=limit,
        baseline=baseline,
        model=answering,
        judge=judge_model(settings, answering),
        budget={
            "searches": settings.agent_searches,
            "reads": settings.agent_reads,
            "enough": settings.agent_enough,
        },
        external_cache=settings.home_dir / "external",
        say=lambda text: click.echo(text, err=True),
    )
    settings = settings.model_copy(
        update={
            "agent_searches": plan.budget["searches"],
            "agent_reads": plan.budget["reads"],
            "agent_enough": plan.budget["enough"],
        }
    )
    if out_dir is None:
        slug = answering.replace("/", "-").replace(":", "-")
        name = f"{datetime.now(UTC):%Y-%m-%d}-{suite.name}-{slug}"
        out_dir = suite.path.parent / "reports" / name
    if report_only and not (out_dir / "config.json").is_file():
        raise InquirerError(
            f"{out_dir} holds no eval run to report on",
            hint="pass --out with the folder of a run (its config.json names what it ran)",
        )
    started = start_run(out_dir, plan)
    click.echo(
        f"eval {suite.name}: {len(plan.questions)} of {plan.available} questions, "
        f"{len(plan.claims)} claims, model {plan.model}, judge {plan.judge} -> {out_dir}",
        err=True,
    )
    try:
        results = run(
            settings, plan, out_dir, parallel, compare_dir, started, report_only=report_only
        )
    except KeyboardInterrupt:
        click.echo(
            f"interrupted: finished lines and judged claims are kept in {out_dir}; "
            f"run the same command with --out {out_dir} to continue",
            err=True,
        )
        raise SystemExit(130) from None
    print_results(results, out_dir, partial_ok=report_only)


# questions made by every system before the next ones (or -c, if more), so that a partial run
# compares the systems on the same questions
CHUNK = 1


def run(
    settings: Settings,
    plan: Plan,
    out: Path,
    concurrency: int,
    compare_dir: Path | None,
    started: str,
    *,
    report_only: bool = False,
) -> dict[str, Any]:
    from .console import err, progress_bar
    from .evals.judging import judge_claims, read_claims
    from .evals.report import build_results, comparison, latest_report, read_results
    from .evals.suite import check_index, interleaved, retrieval_results, score_lines
    from .pipeline import build_pipeline
    from .services import build_embedder, relatedness, titles

    clock = time.perf_counter()
    embedder = build_embedder(settings)
    first = build_pipeline(settings, model=plan.model, embedder=embedder)
    check_index(first.retriever, plan.questions, plan.claims)
    err.print(f"retrieval: {', '.join(plan.suite.config.retrieval_modes)}")
    retrieval = retrieval_results(
        first.retriever, plan.questions, plan.suite.config.retrieval_modes
    )
    if report_only:
        claims = read_claims(out / "claims.jsonl")
    else:
        assert first.verifier is not None  # eval turns verification on
        with progress_bar("claims") as on_claim:
            claims = judge_claims(
                first.verifier, first.retriever, plan.claims, out / "claims.jsonl", on_claim
            )
        batches = systems(settings, plan, out, concurrency, embedder, first)
        order = plan.batch_questions()
        by_id = {q.id: q for q in order}
        order = [by_id[q.id] for q in interleaved(plan.questions)]
        size = max(CHUNK, concurrency)
        for start in range(0, len(order), size):
            chunk = order[start : start + size]
            for name, batch in batches.items():
                where = (
                    f"questions {start + 1}-{start + len(chunk)}"
                    if size > 1
                    else (f"question {start + 1}")
                )
                make(batch, name, chunk, where, order)
    results = build_results(
        plan,
        retrieval=retrieval,
        systems={
            name: score_lines(
                out / name,
                plan.questions,
                first.retriever.read,
                lambda question, texts: relatedness(first.retriever, question, texts),
                titles(first.retriever),
            )
            for name in plan.systems
        },
        claims=claims,
        started=started,
        seconds=time.perf_counter() - clock,
    )
    previous = compare_dir or latest_report(out.parent, exclude=out, suite=plan.suite.name)
    if previous is not None:
        results["comparison"] = comparison(read_results(previous), results, str(previous))
    write_report(results, out)
    return results


def systems(
    settings: Settings,
    plan: Plan,
    out: Path,
    concurrency: int,
    embedder: Embedder,
    first: Pipeline,
) -> dict[str, Batch]:
    """A batch per system, each with its own folder and pool of pipelines."""
    from .batch import Batch, PipelinePool
    from .evals.baseline import BaselinePipeline
    from .pipeline import build_pipeline
    from .questions import QuestionOptions

    out_batches = {}
    for name in plan.systems:

        def build(_options: QuestionOptions, wrap: bool = name == "baseline") -> LineMaker:
            pipeline = build_pipeline(settings, model=plan.model, embedder=embedder)
            return BaselinePipeline(pipeline) if wrap else pipeline

        pool = PipelinePool(build)
        if name == "agent":
            pool.release(QuestionOptions(), first)
        out_batches[name] = Batch(out / name, pool, concurrency=concurrency)
    return out_batches


def make(batch: Batch, name: str, chunk: list[Question], label: str, every: list[Question]) -> None:
    """One system's lines for a chunk of the questions, with a bar; skipped when all are made."""
    from .console import batch_progress, err

    todo = batch.remaining(chunk)
    if not todo:
        return
    left = len(batch.remaining(every))
    err.print(f"{name}, {label} of {len(every)}: {len(todo)} to make ({left} left in all)")
    with batch_progress() as on_progress:
        batch.run(chunk, resume=True, on_progress=on_progress)


def write_report(results: dict[str, Any], out: Path) -> None:
    from .console import write_atomic
    from .evals.plots import draw
    from .evals.report import PLOTS, REPORT, RESULTS, markdown

    plots = draw(results["systems"], out, PLOTS)
    write_atomic(out / RESULTS, json.dumps(results, indent=2) + "\n")
    write_atomic(out / REPORT, markdown(results, plots))


def print_results(results: dict[str, Any], out: Path, *, partial_ok: bool = False) -> None:
    from .console import err
    from .evals.report import METRICS

    for name, system in results["systems"].items():
        summary = system["summary"]
        shown = ", ".join(
            f"{METRICS[m].split(' (')[0]} {summary[m]:.2f}"
            for m in ("source_recall", "citation_recall", "supported", "format_ok")
            if summary.get(m) is not None
        )
        failed = f", {len(system['failed'])} failed" if system["failed"] else ""
        failed += f", {len(system['missing'])} not made" if system["missing"] else ""
        err.print(f"{name}: {int(summary['lines'])} lines{failed}; {shown}")
    for name, verifier in (results.get("verifier_sets") or {"claims": results["verifier"]}).items():
        err.print(
            f"verifier on {name}: balanced accuracy {verifier['balanced_accuracy']} "
            f"on {verifier['n']} claims"
        )
    comp = results.get("comparison")
    if comp and comp["regressions"]:
        err.print(f"[red]regressed against {comp['previous']}: {', '.join(comp['regressions'])}[/]")
    click.echo(out / "report.md")
    unfinished = any(s["failed"] or s["missing"] for s in results["systems"].values())
    if unfinished and not partial_ok:
        raise InquirerError(
            "some lines failed or were not made; the report lists them",
            hint=f"run the same command with --out {out} to retry them",
        )
