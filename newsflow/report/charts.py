"""The report's charts, drawn with matplotlib as inline SVG (no script, no network: the page works offline)."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

import polars as pl

from newsflow.report.data import FLOW_STEPS

COLOURS = {"curated": "#2a7ab0", "duplicates": "#e3a21a", "quarantined": "#c0392b"}


def _figure(width: float = 9.0, height: float = 3.4) -> tuple[Any, Any]:
    import matplotlib

    matplotlib.use("Agg")  # no display here; and never a GUI backend in a server
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(figsize=(width, height), layout="constrained")
    axes.spines[["top", "right"]].set_visible(False)
    return figure, axes


def _svg(figure: Any) -> str:
    import matplotlib.pyplot as plt

    buffer = io.StringIO()
    figure.savefig(buffer, format="svg")
    plt.close(figure)
    text = buffer.getvalue()
    return text[text.index("<svg") :]  # drop the XML prologue: the SVG is inlined in HTML


def _labels(frame: pl.DataFrame) -> list[str]:
    return [f"{when:%m-%d %H:%M}" for when in frame.get_column("started_at")]


def outcomes_chart(runs: pl.DataFrame) -> str:
    """Per run: new files split into curated, duplicates and quarantined (stacked bars)."""
    figure, axes = _figure()
    positions = list(range(runs.height))
    bottom = [0.0] * runs.height
    for column, colour in COLOURS.items():
        values = runs.get_column(column).to_list()
        axes.bar(positions, values, bottom=bottom, color=colour, label=column)
        bottom = [b + v for b, v in zip(bottom, values, strict=True)]
    _runs_axis(axes, runs, "files")
    axes.set_title("New files per run")
    axes.legend(frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    return _svg(figure)


def seconds_chart(steps: pl.DataFrame) -> str:
    """Per run: seconds of each flow step (stacked bars)."""
    figure, axes = _figure()
    positions = list(range(steps.height))
    bottom = [0.0] * steps.height
    for step in FLOW_STEPS:
        values = steps.get_column(step).to_list()
        axes.bar(positions, values, bottom=bottom, label=step.replace("_", " + "))
        bottom = [b + v for b, v in zip(bottom, values, strict=True)]
    _runs_axis(axes, steps, "seconds")
    axes.set_title("Seconds per step")
    axes.legend(frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    return _svg(figure)


def _runs_axis(axes: Any, frame: pl.DataFrame, unit: str) -> None:
    labels = _labels(frame)
    every = max(1, len(labels) // 12)  # at most a dozen labels, however many runs
    axes.set_xticks(list(range(0, len(labels), every)), labels[::every], rotation=30, ha="right")
    axes.set_ylabel(unit)
    axes.set_xlabel("run (started, UTC)")


def reasons_chart(reasons: pl.DataFrame) -> str:
    """Quarantined files per reason (horizontal bars)."""
    figure, axes = _figure(height=max(1.6, 0.45 * reasons.height + 0.8))
    names = reasons.get_column("reason").to_list()[::-1]
    axes.barh(names, reasons.get_column("files").to_list()[::-1], color=COLOURS["quarantined"])
    axes.set_xlabel("files")
    axes.set_title("Quarantine by reason")
    return _svg(figure)


def spans_chart(stories: pl.DataFrame) -> str:
    """The largest stories over time: a line from first to last seen, sized by article count."""
    import matplotlib.dates as mdates

    figure, axes = _figure(height=max(1.8, 0.4 * stories.height + 1.0))
    rows = list(stories.iter_rows(named=True))[::-1]
    for y, story in enumerate(rows):
        start, end = story["first_seen"], story["last_seen"]
        axes.plot([start, end], [y, y], color=COLOURS["curated"], linewidth=2 + story["article_count"] ** 0.5 * 2)
        axes.plot([start], [y], "o", color=COLOURS["curated"])
    axes.set_yticks(list(range(len(rows))), [_short(r["headline"]) for r in rows])
    first, last = min(r["first_seen"] for r in rows), max(r["last_seen"] for r in rows)
    if last - first < timedelta(days=2):  # stories seen on one day: a few days around them, not years
        axes.set_xlim(first - timedelta(days=1), last + timedelta(days=1))
    locator = axes.xaxis.get_major_locator()
    axes.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))  # type: ignore[no-untyped-call]
    axes.set_title("Largest stories: first to last seen")
    return _svg(figure)


def _short(text: str, width: int = 48) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"
