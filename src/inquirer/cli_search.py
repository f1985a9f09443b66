"""``inquirer search``: the notes that answer a query, with the filters and stages the
retriever offers, as a list or JSON."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import click

from .cli_params import Share
from .errors import InquirerError

if TYPE_CHECKING:
    from .cli import Context
    from .retrieval import Mode
    from .types import Hit


@click.command("search")
@click.argument("query")
@click.option("-k", "k", type=click.IntRange(1, 1000), help="How many notes to return.")
@click.option(
    "--mode",
    type=click.Choice(["dense", "bm25", "hybrid"]),
    help="Retrieval mode (default: the search_mode setting).",
)
@click.option(
    "--tag", "tags", multiple=True, help="Only notes with this tag (repeat: all of them)."
)
@click.option(
    "--folder",
    type=click.Path(file_okay=False, path_type=Path),
    help="Only notes whose files lie under this folder.",
)
@click.option(
    "--year", help="Only notes whose source is from YEAR, or a range: 2020-2023, 2021-, -2019."
)
@click.option("--links/--no-links", default=None, help="Add notes linked from the top hits.")
@click.option("--rerank/--no-rerank", default=None, help="Rerank with the rerank_model.")
@click.option(
    "--diversity",
    type=Share(),
    help="MMR trade-off: 1 = relevance only (default: the search_diversity setting).",
)
@click.option("--explain", is_flag=True, help="Show what each stage made of each hit.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a list.")
@click.pass_obj
def search_cmd(
    obj: Context,
    query: str,
    k: int | None,
    mode: str | None,
    tags: tuple[str, ...],
    folder: Path | None,
    year: str | None,
    links: bool | None,
    rerank: bool | None,
    diversity: float | None,
    explain: bool,
    as_json: bool,
) -> None:
    """Find the notes that answer QUERY."""
    from .console import print_hits
    from .services import build_retriever, search_options
    from .types import Filters

    settings = obj.loaded.settings
    year_from, year_to = parse_years(year)
    filters = Filters(
        tags=tags,
        folder=str(folder.expanduser().resolve()) if folder else None,
        year_from=year_from,
        year_to=year_to,
    )
    options = search_options(
        settings,
        mode=cast("Mode | None", mode),
        filters=filters or None,
        rerank=rerank,
        links=links,
        diversity=diversity,
    )
    hits = build_retriever(settings).search(query, k or settings.search_k, options)
    if as_json:
        payload = [hit_json(h, explain=explain) for h in hits]
        click.echo(json.dumps(payload, indent=2, ensure_ascii=False))
    else:
        print_hits(query, hits, explain=explain)


def parse_years(text: str | None) -> tuple[int | None, int | None]:
    """'2021' -> (2021, 2021); '2020-2023', '2021-', '-2019' -> the range's ends."""
    if text is None:
        return None, None
    low, sep, high = text.strip().partition("-")
    try:
        start = int(low) if low.strip() else None
        end = int(high) if high.strip() else None
    except ValueError:
        raise InquirerError(
            f"--year {text!r} is not a year or a range of years",
            hint="write 2021, 2020-2023, 2021- or -2019",
        ) from None
    if not sep:
        end = start
    if start is None and end is None:
        raise InquirerError("--year needs at least one year", hint="write 2021 or 2020-2023")
    from .front_matter import MAX_YEAR, MIN_YEAR

    for year in (start, end):
        if year is not None and not MIN_YEAR <= year <= MAX_YEAR:
            shown = str(year) if len(str(year)) <= 12 else str(year)[:11] + "…"
            raise InquirerError(
                f"--year {shown} is out of range: notes' years run from {MIN_YEAR} to {MAX_YEAR}",
                hint="write 2021, 2020-2023, 2021- or -2019",
            )
    if start is not None and end is not None and start > end:
        raise InquirerError(f"--year {text!r} ends before it starts", hint="write 2020-2023")
    return start, end


def hit_json(hit: Hit, *, explain: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": hit.note_id,
        "title": hit.title,
        "score": round(hit.score, 4),
        "summary": hit.summary,
        "path": hit.path,
        "tags": list(hit.tags),
    }
    if explain:
        out["stages"] = [
            {"stage": s.name, "rank": s.rank, "score": round(s.score, 4), "detail": s.detail}
            for s in hit.stages
        ]
    return out
