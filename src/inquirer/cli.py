"""The command group. Builds Settings once, turns InquirerError into a message and an exit code.

Heavy libraries (chromadb, sentence-transformers) are imported inside the commands that need
them, so that ``inquirer --help`` answers at once.
"""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from . import __version__
from .errors import InquirerError

if TYPE_CHECKING:
    from .config import LoadedSettings


class Context:
    """What every command gets: the settings' sources, loaded on first use."""

    def __init__(self, config_file: Path | None, overrides: dict[str, Any]) -> None:
        self.config_file = config_file
        self.overrides = overrides
        self._loaded: LoadedSettings | None = None

    @property
    def loaded(self) -> LoadedSettings:
        if self._loaded is None:
            from .config import load_settings

            self._loaded = load_settings(self.config_file, **self.overrides)
        return self._loaded


pass_ctx = click.make_pass_decorator(Context)


class InquirerGroup(click.Group):
    """The one place where inquirer's errors become a message on stderr and an exit code."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except InquirerError as exc:
            click.echo(f"error: {exc}", err=True)
            raise SystemExit(exc.exit_code) from None
        except KeyboardInterrupt:
            click.echo(
                "interrupted: what was finished is kept; run the command again to complete it",
                err=True,
            )
            raise SystemExit(130) from None


@click.group(
    cls=InquirerGroup,
    invoke_without_command=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.option("--config", "config_file", type=click.Path(path_type=Path), help="TOML config file.")
@click.option("--home", type=click.Path(path_type=Path), help="State folder (INQUIRER_HOME).")
@click.option("-v", "--verbose", count=True, help="More diagnostics on stderr (-vv for debug).")
@click.version_option(__version__, prog_name="inquirer")
@click.pass_context
def cli(ctx: click.Context, config_file: Path | None, home: Path | None, verbose: int) -> None:
    """inquirer: answers questions from a corpus of notes with cited inquiring lines."""
    level = [logging.WARNING, logging.INFO, logging.DEBUG][min(verbose, 2)]
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
    ctx.obj = Context(config_file, {"home": home})
    if ctx.invoked_subcommand is None:
        if sys.stdin.isatty() and sys.stdout.isatty():
            ctx.invoke(tui_cmd)
        else:  # not at a terminal (a pipe, a script): the TUI cannot run there
            click.echo(ctx.get_help())


@cli.command("tui")
@click.option(
    "--model", help="local/<name> or a litellm model string (default: the model setting)."
)
@pass_ctx
def tui_cmd(obj: Context, model: str | None = None) -> None:
    """Terminal chat over the corpus (the default when inquirer runs at a terminal)."""
    from .session import Session
    from .tui.app import run

    session = Session(obj.loaded.settings)
    if model:
        session.switch_model(model)
    run(session)


@cli.command("config")
@pass_ctx
def config_cmd(obj: Context) -> None:
    """Print the effective settings and where each value came from."""
    from .console import print_settings

    print_settings(obj.loaded)


@cli.group("corpus")
def corpus_group() -> None:
    """Inspect a corpus of notes."""


@corpus_group.command("check")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--strict", is_flag=True, help="Treat departures from the note format as errors.")
@pass_ctx
def corpus_check(obj: Context, paths: tuple[Path, ...], strict: bool) -> None:
    """Validate notes: front matter, titles, ids, links, encodings, sizes."""
    from .console import print_problems
    from .corpus import check, load, resolve_roots

    settings = obj.loaded.settings
    roots = resolve_roots(paths or settings.corpus_paths)
    corpus = load(
        roots,
        max_bytes=settings.max_note_bytes,
        follow_outside_links=settings.follow_outside_links,
    )
    problems = check(corpus, strict=strict)
    files = len(corpus.notes) + len(corpus.bad_paths)
    errors = print_problems(problems, files)
    if errors:
        sys.exit(1)


@cli.command("index")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--rebuild", is_flag=True, help="Drop the index and embed every note again.")
@pass_ctx
def index_cmd(obj: Context, paths: tuple[Path, ...], rebuild: bool) -> None:
    """Embed the notes under PATHS (default: corpus_paths) into the store, incrementally."""
    from .console import err, print_index_report, progress_bar
    from .corpus import resolve_roots
    from .services import build_indexer

    settings = obj.loaded.settings
    roots = resolve_roots(paths or settings.corpus_paths)
    indexer = build_indexer(settings)
    with progress_bar("embedding notes") as on_progress:
        report = indexer.run(
            roots, rebuild=rebuild, on_progress=on_progress, on_wait=lambda m: err.print(m)
        )
    print_index_report(report, indexer.store.description)
    if report.errors:
        sys.exit(1)


@cli.command("ask")
@click.argument("question")
@click.option(
    "--model", help="local/<name> or a litellm model string (default: the model setting)."
)
@click.option(
    "--format",
    "form",
    type=click.Choice(["text", "md", "json"]),
    default="text",
    show_default=True,
    help="Output form.",
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the line here (written whole at the end, never half).",
)
@click.option("--obsidian", is_flag=True, help="Markdown citations as [[id|title]] wiki links.")
@click.option("--no-verify", is_flag=True, help="Skip the verifier pass (verdict: not run).")
@pass_ctx
def ask_cmd(
    obj: Context,
    question: str,
    model: str | None,
    form: str,
    out: Path | None,
    obsidian: bool,
    no_verify: bool,
) -> None:
    """Answer QUESTION with an inquiring line built from the notes, checked by the verifier."""
    from .console import ask_progress, write_atomic
    from .pipeline import build_pipeline, clean_question, shorten
    from .render import render

    asked = clean_question(question)  # an empty question is refused before any model loads
    settings = obj.loaded.settings
    if no_verify:
        settings = settings.model_copy(update={"verify": False})
    pipeline = build_pipeline(settings, model=model)
    stream_to_stdout = form == "text" and out is None
    with ask_progress(shorten(asked), stream=stream_to_stdout) as on_event:
        line = pipeline.ask(question, on_event)
    rendered = render(line, form, obsidian=obsidian)
    if out is not None:
        write_atomic(out, rendered)
        click.echo(f"wrote {out}", err=True)
    if stream_to_stdout:
        click.echo("\n" + unstreamed(rendered), nl=False)
    elif out is None:
        click.echo(rendered, nl=False)


def unstreamed(text: str) -> str:
    """What follows the streamed framing, body and insight in a line's text form: the sources
    onward (a line may have no insight to find the end of)."""
    at = text.find("\nSources · ")
    return text[at + 1 :] if at >= 0 else text


@cli.command("verify")
@click.argument("line_file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="The verdict and citation rot as JSON.")
@pass_ctx
def verify_cmd(obj: Context, line_file: Path, as_json: bool) -> None:
    """Re-verify a saved line (its JSON form) against the corpus as indexed now, and report
    citation rot: cited notes whose content changed since the line was written. Exits 1 when
    the line fails verification."""
    from . import saved
    from .pipeline import build_verify
    from .render import verdict_json, verification_lines

    line_data = saved.load(line_file)  # a malformed file is refused before any model loads
    retriever, verifier = build_verify(obj.loaded.settings)
    ids = saved.cited(line_data) + [r.id for r in line_data.read]
    notes = {i: n for i in dict.fromkeys(ids) if (n := retriever.read(i)) is not None}
    unknown = [i for i in saved.cited(line_data) if i not in notes]
    if unknown:
        raise InquirerError(
            f"{line_file} cites {len(unknown)} note(s) the index does not hold: "
            + ", ".join(unknown),
            hint="they were deleted or renamed since the line was written, or this is another "
            "corpus's index: run 'inquirer index' on the corpus the line came from",
        )
    line = saved.rebuild(line_data, notes)
    changed, unrecorded = saved.rot(line_data, notes)
    verdict = verifier.verify(line, notes, {r.id for r in line_data.read})
    if as_json:
        payload = {
            "verification": verdict_json(verdict),
            "rot": [vars(r) for r in changed],
            "versions_unrecorded": unrecorded,
        }
        click.echo(json.dumps(payload, indent=2, ensure_ascii=False))
    else:
        block = verification_lines({"verification": verdict_json(verdict)})
        click.echo("\n".join(line.replace("**", "") for line in block))
        click.echo("")
        if changed:
            click.echo(
                f"Citation rot: {len(changed)} cited note(s) changed since the line was written:"
            )
            for r in changed:
                click.echo(f"- {r.note_id} ({r.then[:12]} then, {r.now[:12]} now)")
        elif unrecorded:
            click.echo("Citation rot: unknown — the file does not record the notes' versions.")
        else:
            click.echo(
                "Citation rot: none — every cited note is as it was when the line was written."
            )
    if verdict.status != "passed":
        raise SystemExit(1)


def main() -> None:
    """Console entry point."""
    cli(prog_name="inquirer")


from .cli_batch import batch_cmd  # noqa: E402 (the commands need the group above)
from .cli_eval import eval_cmd  # noqa: E402
from .cli_search import search_cmd  # noqa: E402

cli.add_command(search_cmd)
cli.add_command(batch_cmd)
cli.add_command(eval_cmd)
