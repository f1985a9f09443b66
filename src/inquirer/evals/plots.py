"""The report's plots, drawn with matplotlib (the only module that imports it) off screen:
metrics against the baseline, the latency distribution, and a per-question heat map."""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")  # files only, no display

import matplotlib.pyplot as plt
from matplotlib.colors import ListedColormap

SHARES = {  # the 0..1 metrics the bar chart and heat map show, with short labels
    "source_recall": "source recall",
    "source_precision": "source precision",
    "citation_recall": "citation recall",
    "citation_precision": "citation precision",
    "supported": "supported",
    "format_ok": "format ok",
    "next_answerable": "next answerable",
    "next_novel": "next novel",
    "abstention_accuracy": "abstention",
    "answer_rate": "answer rate",
}
PER_LINE: tuple[str, ...] = (
    "source_recall",
    "source_precision",
    "citation_recall",
    "citation_precision",
    "supported",
    "format_ok",
    "next_answerable",
    "next_novel",
)
COLOURS = {"agent": "#2b6cb0", "baseline": "#a0aec0"}


def metrics_plot(systems: Mapping[str, Any], path: Path) -> None:
    """Grouped horizontal bars: each 0..1 metric, one bar per system."""
    names = list(systems)
    labels = list(SHARES.values())
    fig, ax = plt.subplots(figsize=(7.5, 0.45 * len(labels) + 1.2))
    height = 0.8 / len(names)
    for n, name in enumerate(names):
        summary = systems[name]["summary"]
        values = [summary.get(m) for m in SHARES]
        ys = [i + n * height for i in range(len(labels))]
        ax.barh(
            ys,
            [v if v is not None else 0.0 for v in values],
            height=height,
            label=name,
            color=COLOURS.get(name),
        )
        for y, v in zip(ys, values, strict=True):
            ax.text(
                (v or 0.0) + 0.01, y, "n/a" if v is None else f"{v:.2f}", va="center", fontsize=7
            )
    ax.set_yticks([i + height * (len(names) - 1) / 2 for i in range(len(labels))], labels)
    ax.invert_yaxis()
    ax.set_xlim(0, 1.12)
    ax.set_xlabel("share / mean (higher is better)")
    ax.set_title("Answer metrics: " + " and ".join(names))
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.1), ncol=len(names), fontsize=8)
    fig.tight_layout()
    _save(fig, path)


def latency_plot(systems: Mapping[str, Any], path: Path) -> None:
    """Seconds per line: a box plot per system, every line shown as a dot over it."""
    names = [n for n in systems if systems[n]["lines"]]
    fig, ax = plt.subplots(figsize=(7.5, 1.1 * max(len(names), 1) + 1.4))
    data = [[row["seconds"] for row in systems[n]["lines"]] for n in names]
    if data:
        ax.boxplot(data, orientation="horizontal", widths=0.5)
        ax.set_yticks(range(1, len(names) + 1), names)
        for i, values in enumerate(data, start=1):
            ax.scatter(values, [i] * len(values), s=12, alpha=0.6, color=COLOURS.get(names[i - 1]))
    ax.set_xlabel("seconds per line (made and verified)")
    ax.set_title("Latency per line")
    fig.tight_layout()
    _save(fig, path)


def heatmap_plot(systems: Mapping[str, Any], path: Path) -> None:
    """Per question (rows) and metric (columns), one panel per system; grey where a metric does
    not apply (no gold notes, no verification, no next lines)."""
    names = [n for n in systems if systems[n]["lines"]]
    questions = sorted({row["question_id"] for n in names for row in systems[n]["lines"]})
    height = 0.22 * len(questions) + 2.2
    fig, axes = plt.subplots(
        1, max(len(names), 1), figsize=(4.2 * max(len(names), 1) + 0.8, height), squeeze=False
    )
    # Fixed margins in inches: matplotlib's default shares leave inches of blank on a tall figure.
    fig.subplots_adjust(top=1 - 0.6 / height, bottom=1.5 / height)
    cmap = ListedColormap(plt.get_cmap("RdYlGn")(range(256))).with_extremes(bad="#d9d9d9")
    image = None
    for ax, name in zip(axes[0], names, strict=False):
        rows = {row["question_id"]: row for row in systems[name]["lines"]}
        grid = [[_cell(rows.get(q, {}).get(metric)) for metric in PER_LINE] for q in questions]
        image = ax.imshow(grid, cmap=cmap, vmin=0, vmax=1, aspect="auto", interpolation="none")
        ax.set_xticks(range(len(PER_LINE)), [SHARES[m] for m in PER_LINE], rotation=60, ha="right")
        ax.set_yticks(range(len(questions)), questions, fontsize=6)
        ax.set_title(name)
    if image is not None:
        fig.colorbar(image, ax=axes[0].tolist(), shrink=0.6)
    fig.suptitle("Per-question scores", y=1 - 0.15 / height)
    _save(fig, path, bbox_inches="tight")


def _save(fig: Any, path: Path, **options: Any) -> None:
    """Through a temporary file and a rename, like every file a run writes."""
    partial = path.with_name(f".{path.stem}.partial{path.suffix}")
    fig.savefig(partial, dpi=110, **options)
    plt.close(fig)
    partial.replace(path)


def _cell(value: Any) -> float:
    if value is None:
        return math.nan
    return float(value)


def draw(systems: Mapping[str, Any], folder: Path, names: Mapping[str, str]) -> list[str]:
    """Every plot into ``folder``; the file names written."""
    metrics_plot(systems, folder / names["metrics"])
    latency_plot(systems, folder / names["latency"])
    heatmap_plot(systems, folder / names["heatmap"])
    return [names["metrics"], names["latency"], names["heatmap"]]
